// The command-line parser. Kept light on purpose: `--help` and `--version` load commander, this
// file and the command metadata, nothing else (see bench/ for the cold-start figure). The launcher
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

// Commander's own failures (unknown flag, missing argument…) are usage errors: exit 2.
const COMMANDER_EXIT: Record<string, number> = {
  'commander.helpDisplayed': 0,
  'commander.version': 0,
  'commander.help': 2,
};

export async function main(argv: string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
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
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof commander.CommanderError) return COMMANDER_EXIT[err.code] ?? 2;
    throw err;
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
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`atlantis-run: ${s.replace(/^error: /, '')}`),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 success · 1 an operation failed · 2 invalid usage or configuration (nothing changed)\n' +
        '            3 another run holds the lock (here, or in the project: --force-unlock ID) · 4 plan --detailed-exitcode found changes\n' +
        '            130 interrupted\n' +
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
  cmd.exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(`atlantis-run: ${s.replace(/^error: /, '')}`),
  });
  cmd.showSuggestionAfterError(true);
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
