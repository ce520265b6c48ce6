// `atlantis-run init` end to end: refuse to clobber, find defaults, ask (or read flags), render,
// validate with the same parser every other command uses, collect the secret values to store, write
// atomically, then store them. A run that wrote the file and stopped while storing says so and what to
// run next; run again with the same answers, it keeps the identical file and finishes the job.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROVIDERS } from '../atlantis/catalog.js';
import { parseConfig, type AtlantisRunConfig } from '../config/load.js';
import type { RunContext } from '../engine/context.js';
import { InterruptedError, OperationError, UsageError, isAtlantisRunError } from '../errors.js';
import { describeGcpError, isGcpError } from '../gcp/errors.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { IoHost } from '../ui/host.js';
import type { DebugLog } from '../util/debug-log.js';
import { findDefaults, type InitDefaults } from './defaults.js';
import { INIT_HEADER, REPO_CONFIG_FILE, renderConfig, schemaReference } from './document.js';
import { prepareSecrets, pushPending, type SecretHandoff } from './secrets-handoff.js';
import { Wizard, type InitAnswers, type InitFlags } from './wizard.js';

/** What init needs from the command that runs it (the CLI's context satisfies it). */
export interface InitContext {
  readonly host: IoHost;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly log: DebugLog;
  readonly signal: AbortSignal;
  /** Where atlantis-run.yaml goes, and the lockfile beside it. */
  readonly configPath: string;
  readonly lockfilePath: string;
  /** The --config flag as given, repeated in the next steps. */
  readonly configFlag: string | undefined;
  onCleanup(fn: () => Promise<void> | void): void;
  /** Connects to Google Cloud for the written configuration (only when values are stored now). */
  openRun(waitTimeoutMs: number): Promise<RunContext>;
}

export interface InitResult {
  configPath: string;
  /** Every file written, absolute paths, config first. */
  files: string[];
  config: AtlantisRunConfig;
  answers: InitAnswers;
  defaults: InitDefaults;
  secrets: SecretHandoff[];
  nextSteps: string[];
  /** Answers taken from the environment or gcloud rather than typed or passed as flags. */
  defaultsUsed: string[];
  /** Files that existed with exactly this content (an earlier init with the same answers): kept. */
  kept: string[];
}

/** The starter server-side repo config shipped in the package's templates/. */
export const REPOS_TEMPLATE = new URL('../../templates/repos.yaml', import.meta.url);

export async function runInit(ctx: InitContext, flags: InitFlags): Promise<InitResult> {
  if (flags.nonInteractive) ctx.host.disablePrompts();
  const force = flags.force === true;
  const configPath = ctx.configPath;
  const configDir = path.dirname(configPath);
  const reposPath = path.join(configDir, REPO_CONFIG_FILE);
  const shown = (file: string) => path.relative(ctx.cwd, file) || file;

  // Before the first question: nobody should answer a wizard only to be told the file exists. A file
  // an earlier init wrote is the exception: the same answers keep it (and finish what that run left).
  const rerun = !force && writtenByInit(configPath);
  if (!rerun) refuseToOverwrite(configPath, force, shown(configPath), '--config');

  if (rerun) {
    ctx.host.emit({
      type: 'info',
      message: `${shown(configPath)} exists (written by init): the same answers keep it and finish storing secret values; other answers need --force`,
    });
  }
  if (ctx.host.canPrompt) {
    ctx.host.emit({
      type: 'info',
      message: `Creating ${shown(configPath)}. Every question has a flag (atlantis-run init --help); nothing is written before the last answer.`,
    });
  }
  const defaults = await findDefaults(
    ctx.env,
    ctx.log,
    { project: flags.project === undefined, region: flags.region === undefined },
    ctx.signal,
  );
  if (ctx.signal.aborted) throw new InterruptedError('interrupted before the first question; nothing was changed');
  const answers = await new Wizard(flags, {
    host: ctx.host,
    defaults,
    cwd: ctx.cwd,
    configDir,
    env: ctx.env,
    checkRepoConfigTarget: () => refuseToOverwrite(reposPath, force, shown(reposPath)),
  }).run();
  ctx.log.write('init-answers', { answers });

  const text = renderConfig(answers, schemaReference(configDir));
  // Never write a file the other commands would refuse: parse it exactly as they will, without
  // letting this shell's ATLANTIS_RUN_* / CLOUDSDK_* variables stand in for what the file says.
  const config = await parseConfig(text, configPath, {}, {});

  const reposText = answers.repoConfig ? await readFile(REPOS_TEMPLATE, 'utf8') : undefined;
  // Files may have appeared while the questions were asked; identical ones are kept as they are.
  const keepConfig = !force && sameContent(configPath, text);
  const keepRepos = reposText !== undefined && !force && sameContent(reposPath, reposText);
  if (!keepConfig) refuseToOverwrite(configPath, force, shown(configPath), '--config');
  if (reposText !== undefined && !keepRepos) refuseToOverwrite(reposPath, force, shown(reposPath));

  // Values to store are read (or typed) now: one that is missing stops init before any file is written.
  const handoffInput = {
    config,
    host: ctx.host,
    env: ctx.env,
    cwd: ctx.cwd,
    interactive: ctx.host.canPrompt,
    ...(flags.pushSecrets !== undefined ? { push: flags.pushSecrets } : {}),
    ctx,
  };
  const prepared = await prepareSecrets(handoffInput);

  await mkdir(configDir, { recursive: true });
  const files: string[] = [];
  const kept: string[] = [];
  if (reposText !== undefined) {
    if (keepRepos) kept.push(reposPath);
    else await writeFileAtomic(reposPath, reposText);
    files.push(reposPath);
  }
  if (keepConfig) kept.push(configPath);
  else await writeFileAtomic(configPath, text);
  files.unshift(configPath);
  ctx.log.write('init-wrote', { files, kept });

  let secrets = prepared.handoffs;
  if (prepared.pending) {
    try {
      secrets = await pushPending(handoffInput, ctx, prepared.pending);
    } catch (err) {
      throw pushFailed(err, shown(configPath), ctx.configFlag);
    }
  }
  const defaultsUsed: string[] = [];
  if (flags.project === undefined && defaults.project?.value === answers.project)
    defaultsUsed.push(`project ${answers.project} (from ${defaults.project.source})`);
  if (flags.region === undefined && defaults.region?.value === answers.region)
    defaultsUsed.push(`region ${answers.region} (from ${defaults.region.source})`);

  return { configPath, files, config, answers, defaults, secrets, nextSteps: nextSteps(ctx, config, secrets), defaultsUsed, kept };
}

/** Whether `file` is an atlantis-run.yaml init wrote (its header), which the same answers may keep. */
function writtenByInit(file: string): boolean {
  if (!existsSync(file) || statSync(file).isDirectory()) return false;
  return readFileSync(file, 'utf8').split('\n', 3).includes(`# ${INIT_HEADER}`);
}

function sameContent(file: string, text: string): boolean {
  return existsSync(file) && !statSync(file).isDirectory() && readFileSync(file, 'utf8') === text;
}

/**
 * The file is written, the secret push did not finish: say exactly that, and what completes it. The
 * exit code stays the cause's (130 for Ctrl-C, 1 otherwise), never 2: something was written.
 */
function pushFailed(err: unknown, configFile: string, configFlag: string | undefined): Error {
  const withConfig = configFlag ? ` --config ${configFlag}` : '';
  const next = `run \`atlantis-run secrets push --stage${withConfig}\`, or init again with the same answers (it keeps ${configFile} and stores the values)`;
  if (err instanceof InterruptedError) {
    return new InterruptedError(`interrupted after writing ${configFile}, while storing the secret values in Secret Manager`, {
      hint: next,
      cause: err,
    });
  }
  const cause = isGcpError(err) ? describeGcpError(err) : { message: err instanceof Error ? err.message : String(err), hint: undefined };
  const causeHint = isAtlantisRunError(err) ? err.hint : cause.hint;
  return new OperationError(`wrote ${configFile}, but storing the secret values in Secret Manager failed: ${cause.message}`, {
    hint: `${causeHint ? `${causeHint}; then ` : ''}${next}`,
    cause: err,
  });
}

function refuseToOverwrite(file: string, force: boolean, shown: string, otherFlag?: string): void {
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) throw new UsageError(`${shown} is a directory, not a file`);
  if (force) return;
  throw new UsageError(`${shown} already exists; it was left untouched`, {
    hint: `pass --force to replace it${otherFlag ? `, or ${otherFlag} to write another file` : ''}`,
  });
}

function nextSteps(ctx: InitContext, config: AtlantisRunConfig, secrets: SecretHandoff[]): string[] {
  const withConfig = ctx.configFlag ? ` --config ${ctx.configFlag}` : '';
  const steps: string[] = [];
  for (const s of secrets) if (s.status === 'to-supply') steps.push(`supply ${s.name}: ${s.instruction}`);
  steps.push(`atlantis-run render${withConfig}   — every resource deploy will create, offline`);
  steps.push(`atlantis-run deploy${withConfig}   — creates them in ${config.project} (${config.region}) and prints the webhook URL`);
  steps.push(`add the webhook — ${PROVIDERS[config.atlantis.vcs.provider].webhookHelp}`);
  return steps;
}
