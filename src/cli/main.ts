// The command-line parser. Kept light on purpose: help on a terminal loads commander, this file and
// the command metadata, nothing else (piped help and --version the launcher answers without it, from
// pages this parser rendered at build time: scripts/write-help.mjs; bench/ has the figures). The launcher
// runs it bundled with commander into one file (scripts/bundle-cli.mjs): module loading is most of
// what a cold `--help` costs.
import { readFileSync } from 'node:fs';
import type { Command as CommandType } from 'commander';
import type { CommandDefinition, CommandInput } from './command.js';
import { commands } from './command-table.js';
import type { GlobalOptions } from './context.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

// Loaded on first use (not for --version); in the bundle this stays a lazy, in-file module.
type Commander = typeof import('commander');
type Command = CommandType;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

// Commander's own failures (unknown flag, missing argument…) are usage errors: exit 2. Help asked
// for exits 0; help shown because something was missing (`atlantis-run secrets`) exits 2.
function commanderExit(err: { code: string; exitCode: number }): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
  if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
  return 2;
}

const GROUPS = new Set(commands.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]));

/**
 * `help deploy`, `help secrets push` and `secrets help push` become `… --help`: commander's own help
 * command shows a command without building its options (they are added lazily, see below).
 */
export function rewriteHelp(argv: readonly string[]): string[] {
  const words = positionals(argv);
  const at =
    words[0] !== undefined && argv[words[0]] === 'help'
      ? words[0]
      : GROUPS.has(argv[words[0]] ?? '') && argv[words[1]] === 'help'
        ? words[1]
        : -1;
  return at < 0 ? [...argv] : [...argv.slice(0, at), ...argv.slice(at + 1), '--help'];
}

// Global flags that take a value: the word after them is not a command.
const VALUE_FLAGS = new Set(['--config', '--lockfile', '--project', '--region', '--impersonate-service-account']);

/** Indexes of the words of `argv` that are not flags or flag values. */
function positionals(argv: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (VALUE_FLAGS.has(argv[i])) i++;
    else if (!argv[i].startsWith('-')) found.push(i);
  }
  return found;
}

/** The command the words of `argv` name ("secrets push"), for a --json usage error's result line. */
function commandNamed(argv: readonly string[]): string {
  const words = argv.filter((a) => !a.startsWith('-'));
  const two = words.slice(0, 2).join(' ');
  if (commands.some((c) => c.name === two)) return two;
  return commands.some((c) => c.name === words[0]) ? words[0] : (words[0] ?? '');
}

export async function main(argv: string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    // Node builds process.stdin (a stream over fd 0) when it is first read: only commands that read it pay.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    ...ioOverrides,
  };
  // The version needs no parser: answer before commander and the command table are loaded.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const commander = await import('commander');
  let pending: Promise<number> | undefined;
  const program = buildProgram(commander, io, commands, (definition, input, globals) => {
    pending = import('./run.js').then(({ runCommand }) => runCommand(definition, input, globals, io));
  });
  const args = rewriteHelp(argv);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof commander.CommanderError)) throw err;
    const code = commanderExit(err);
    // With --json, stdout carries JSON even when the command line itself is wrong.
    if (code !== 0 && args.includes('--json')) {
      const message = err.message.replace(/^error: /, '');
      io.stdout.write(
        `${JSON.stringify({ type: 'result', ok: false, command: commandNamed(args), error: { message, exitCode: code } })}\n`,
      );
    }
    return code;
  }
  return pending ? await pending : 0;
}

type Launch = (definition: CommandDefinition, input: CommandInput, globals: GlobalOptions) => void;

export function buildProgram(commander: Commander, io: CliIo, commands: CommandDefinition[], launch: Launch): Command {
  const { Command, Option } = commander;
  const program = new Command('atlantis-run')
    .description('Deploy Atlantis onto Google Cloud Run, and keep it healthy.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--config <file>', 'configuration file (env ATLANTIS_RUN_CONFIG)', undefined)
    .option('--lockfile <file>', 'lockfile (env ATLANTIS_RUN_LOCKFILE; default beside the config file)')
    .option('--project <id>', 'Google Cloud project id (env ATLANTIS_RUN_PROJECT or CLOUDSDK_CORE_PROJECT)')
    .option('--region <region>', 'Cloud Run region (env ATLANTIS_RUN_REGION or CLOUDSDK_RUN_REGION)')
    .option('--json', 'machine-readable output: JSON lines on stdout, the result object last', false)
    .option('-y, --yes', 'answer yes to confirmations (required for changes when not interactive)', false)
    .option('--verbose', 'show stack traces and more detail', false)
    .option('--emulator', 'run against the bundled local Google Cloud emulator (state in .atlantis-run/)', false)
    .addOption(
      new Option('--impersonate-service-account <email>', 'act as this service account (env ATLANTIS_RUN_IMPERSONATE_SERVICE_ACCOUNT)'),
    )
    .option('--force-unlock <id>', 'take over the run lock in the project with this id (a run that is gone); exit 3 names it')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(outputTo(io))
    .addHelpText(
      'after',
      '\nExit codes: 0 success · 1 an operation failed · 2 invalid usage or configuration (nothing changed)\n' +
        '            3 another run holds the lock (here, or in the project: --force-unlock ID) · 4 plan --detailed-exitcode found changes\n' +
        '            5 a confirmation was declined (nothing changed) · 130 interrupted\n' +
        "\nRun `atlantis-run <command> --help` for a command's options and examples.",
    );

  // Each command is registered with what the top-level help shows (name, summary, argument); its
  // options, examples and action are added only when it is the one being run or asked about —
  // most of the work of building the parser, saved on every `--help`.
  const definitionOf = new WeakMap<Command, CommandDefinition>();
  const completed = new WeakSet<Command>();
  const complete = (_parent: Command, cmd: Command) => {
    const definition = definitionOf.get(cmd);
    if (!definition || completed.has(cmd)) return;
    completed.add(cmd);
    for (const opt of definition.options ?? []) {
      const option = new Option(opt.flags, opt.description);
      if (opt.default !== undefined) option.default(opt.default);
      if (opt.hidden) option.hideHelp();
      if (opt.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
      cmd.addOption(option);
    }
    // Commander would fail on these echoing the token, which may be a secret value (see command.ts).
    if (definition.refuseValueArguments) cmd.allowExcessArguments(true).allowUnknownOption(true);
    // Its help lists the global flags it honours, and only those.
    const honoured = new Set<string>(definition.globals ?? []);
    cmd.configureHelp({ showGlobalOptions: true, visibleGlobalOptions: () => program.options.filter((o) => honoured.has(o.long ?? '')) });
    if (definition.examples?.length) {
      cmd.addHelpText('after', `\nExamples:\n${definition.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    }
    cmd.action((...args: unknown[]) => {
      const self = args.at(-1) as Command;
      const globals = self.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
      const input: CommandInput = {
        arg: definition.argument ? (args[0] as string | undefined) : undefined,
        options: self.opts(),
      };
      if (definition.refuseValueArguments) input.extra = self.args.slice(definition.argument ? 1 : 0);
      launch(definition, input, pickGlobals(globals));
    });
  };
  // The list of commands shows "[options]" for those that have options, registered yet or not.
  const subcommandTerm = (cmd: Command) => {
    const hasOptions = cmd.options.length > 0 || Boolean(definitionOf.get(cmd)?.options?.length);
    const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(' ');
    return `${cmd.name()}${hasOptions ? ' [options]' : ''}${args ? ` ${args}` : ''}`;
  };
  program.configureHelp({ subcommandTerm }).hook('preSubcommand', complete);

  const groups = new Map<string, Command>();
  for (const definition of commands) {
    const words = definition.name.split(' ');
    let parent = program;
    if (words.length === 2) {
      const noun = words[0];
      if (!groups.has(noun)) {
        const group = program.command(noun).description(`${noun} commands`);
        inherit(group, io);
        group.configureHelp({ subcommandTerm }).hook('preSubcommand', complete);
        groups.set(noun, group);
      }
      parent = groups.get(noun)!;
    }
    // Descriptions are written as paragraphs; commander wraps them to the terminal's width.
    const description = (definition.description ?? definition.summary).replace(/(?<!\n)\n(?!\n)/g, ' ');
    const cmd = parent.command(words.at(-1)!).description(description).summary(definition.summary);
    inherit(cmd, io);
    if (definition.argument) {
      const a = definition.argument;
      cmd.argument(a.required ? `<${a.name}>` : `[${a.name}]`, a.description);
    }
    definitionOf.set(cmd, definition);
  }
  return program;
}

function inherit(cmd: Command, io: CliIo): void {
  cmd.exitOverride().configureOutput(outputTo(io));
  cmd.showSuggestionAfterError(true);
}

/**
 * Commander writes to the run's streams and lays help out at their width (80 columns when not a
 * terminal) — its default asks process.stdout, which an injected stream is not. The build renders
 * the help pages through a non-terminal stream for the launcher's fast path (scripts/write-help.mjs).
 */
function outputTo(io: CliIo) {
  // 80 is commander's own width off a terminal.
  const width = (stream: CliIo['stdout'] & { columns?: number }) => (stream.isTTY && stream.columns) || 80;
  return {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => write(`atlantis-run: ${s.replace(/^error: /, '')}`),
    getOutHelpWidth: () => width(io.stdout),
    getErrHelpWidth: () => width(io.stderr),
  };
}

function pickGlobals(all: GlobalOptions & Record<string, unknown>): GlobalOptions {
  const globals: GlobalOptions = {
    json: Boolean(all.json),
    yes: Boolean(all.yes),
    verbose: Boolean(all.verbose),
    emulator: Boolean(all.emulator),
  };
  if (typeof all.config === 'string') globals.config = all.config;
  if (typeof all.lockfile === 'string') globals.lockfile = all.lockfile;
  if (typeof all.project === 'string') globals.project = all.project;
  if (typeof all.region === 'string') globals.region = all.region;
  if (typeof all.impersonateServiceAccount === 'string') globals.impersonateServiceAccount = all.impersonateServiceAccount;
  if (typeof all.forceUnlock === 'string') globals.forceUnlock = all.forceUnlock;
  return globals;
}
