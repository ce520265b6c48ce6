// Running one command: paths, debug log, IO host, run lock, Ctrl-C, and the one central error
// handler that turns any failure into "what happened: why", a hint, and an exit code.
import path from 'node:path';
import { ExitCode, InterruptedError, isAtlantisRunError } from '../errors.js';
import { describeGcpError, isGcpError } from '../gcp/errors.js';
import { ensureStateDir } from '../state/state-dir.js';
import { DebugLog } from '../util/debug-log.js';
import { redact } from '../util/redact.js';
import { SECRET_NAMES } from '../atlantis/catalog.js';
import { IoHost } from '../ui/host.js';
import type { CommandDefinition, CommandInput } from './command.js';
import { resolvePaths, type CommandContext, type GlobalOptions } from './context.js';
import { screenEnvNameOptions, screenValueArguments } from './value-arguments.js';
import type { CliIo } from './main.js';
import type { AtlantisRunConfig } from '../config/load.js';

export async function runCommand(
  definition: CommandDefinition,
  rawInput: CommandInput,
  globals: GlobalOptions,
  io: CliIo,
): Promise<number> {
  // Before the first log line: arguments that may be secret values are registered for redaction.
  const screened = definition.refuseValueArguments ? screenValueArguments(definition, rawInput) : { input: rawInput };
  const input = screened.input;
  screenEnvNameOptions(definition, input.options);
  const unknownName = secretNameArgument(definition, input.arg);
  const { configPath, lockfilePath } = resolvePaths(globals, io.env, io.cwd);
  const stateDir = safeStateDir(definition.usesConfig ? path.dirname(configPath) : io.cwd);
  const log = stateDir ? DebugLog.create(stateDir, definition.name) : DebugLog.disabled();
  const argv = process.argv.slice(2).map((a) => (unknownName !== undefined && a === unknownName ? NOT_SHOWN : a));
  log.write('start', {
    command: definition.name,
    argv,
    arg: unknownName !== undefined ? NOT_SHOWN : input.arg,
    options: input.options,
    globals,
  });
  const host = new IoHost({ json: globals.json, env: io.env, streams: io, debugLog: log });

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    log.write('signal', { signal, interrupts });
    if (interrupts === 1) {
      io.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping after the call in flight (again to stop at once)…\n`);
      controller.abort(new InterruptedError());
    } else {
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Node's own warnings (a library's MetadataLookupWarning when no metadata server answers, a
  // deprecation) say nothing the user can act on: the launcher stops Node printing them, and they
  // go to the debug log instead.
  const onWarning = (warning: Error) => log.write('node-warning', { name: warning.name, message: warning.message });
  process.on('warning', onWarning);

  const cleanups: (() => Promise<void> | void)[] = [];
  let config: Promise<AtlantisRunConfig> | undefined;
  const ctx: CommandContext = {
    command: definition.name,
    globals,
    env: io.env,
    cwd: io.cwd,
    host,
    log,
    signal: controller.signal,
    configPath,
    lockfilePath,
    stateDir: stateDir ?? path.join(io.cwd, '.atlantis-run'),
    config: () =>
      (config ??= import('../config/load.js').then(({ loadConfigFile }) =>
        loadConfigFile(configPath, { project: globals.project, region: globals.region }, io.env),
      )),
    onCleanup: (fn) => cleanups.push(fn),
  };

  let code: number;
  try {
    if (screened.error) throw screened.error;
    if (definition.mutates) {
      // Before anything is written: a lockfile that cannot be written is exit 2, not a failure after the first change.
      const { checkLockfileWritable } = await import('../state/lockfile.js');
      await checkLockfileWritable(lockfilePath);
      const { acquireRunLock } = await import('../state/run-lock.js');
      const lock = acquireRunLock(lockfilePath, definition.name);
      cleanups.push(() => lock.release());
    }
    const { handler } = await definition.load();
    // The one untyped seam: commander parsed `input` from this definition's own option list, which
    // is what the handler's options are typed from.
    code = (await handler(ctx, input as never)) ?? ExitCode.ok;
  } catch (err) {
    code = reportError(err, ctx, io);
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log.write('cleanup-error', { error: err });
      }
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A warning emitted during the run reaches listeners on a later tick: let it arrive first.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    host.close();
  }
  log.write('end', { exitCode: code });
  return code;
}

const NOT_SHOWN = '<not a secret name: not shown>';

/**
 * A NAME argument of the secrets commands that is no secret name may be a value typed in the wrong
 * place (a 40-hex Gitea token looks like a name): returned so that the command line is logged
 * without it (and the handler never echoes it). Not registered for redaction: a mistyped name
 * ("hook-secret") would then blank out every real name that contains it.
 */
function secretNameArgument(definition: CommandDefinition, arg: string | undefined): string | undefined {
  if (!definition.argument?.secretName || arg === undefined || (SECRET_NAMES as readonly string[]).includes(arg)) return undefined;
  return arg;
}

function safeStateDir(base: string): string | undefined {
  try {
    return ensureStateDir(base);
  } catch {
    return undefined;
  }
}

/** The central error handler: one message, a hint, the debug log, the exit code. */
export function reportError(
  err: unknown,
  ctx: Pick<CommandContext, 'command' | 'globals' | 'host' | 'log'>,
  io: Pick<CliIo, 'stderr'>,
): number {
  let exitCode: number = ExitCode.failed;
  let message: string;
  let hint: string | undefined;
  if (isAtlantisRunError(err)) {
    exitCode = err.exitCode;
    message = err.message;
    hint = err.hint;
  } else if (isGcpError(err)) {
    ({ message, hint } = describeGcpError(err, { command: ctx.command }));
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    message = `${ctx.command} failed unexpectedly: ${e.message}`;
    hint = 'this is probably a bug in atlantis-run; the debug log has the details';
  }
  ctx.log.write('error', { exitCode, error: err });
  message = redact(message);
  hint = hint === undefined ? undefined : redact(hint);

  const lines = [`Error: ${message}`];
  if (hint) lines.push(`  hint: ${hint}`);
  const issues = (err as { issues?: { path: string; problem: string }[] }).issues;
  if (issues && issues.length > 1) for (const i of issues.slice(1)) lines.push(`  also: ${i.path ? `${i.path}: ` : ''}${i.problem}`);
  if (ctx.globals.verbose && err instanceof Error && err.stack) lines.push(redact(stackWithCauses(err)));
  if (ctx.log.path && exitCode !== ExitCode.usage) lines.push(`  debug log: ${ctx.log.path}`);
  // stderr directly: in --json mode stdout stays pure JSON, and the message still reaches a human.
  io.stderr.write(`${lines.join('\n')}\n`);
  if (ctx.globals.json) {
    ctx.host.result({
      ok: false,
      command: ctx.command,
      error: { message, ...(hint ? { hint } : {}), exitCode, ...(ctx.log.path ? { debugLog: ctx.log.path } : {}) },
    });
  }
  return exitCode;
}

function stackWithCauses(err: Error): string {
  const parts: string[] = [err.stack ?? String(err)];
  let cause = err.cause;
  for (let depth = 0; cause && depth < 5; depth++) {
    parts.push(`Caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}
