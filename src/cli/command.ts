// Commands as small typed definitions (wrangler's createCommand idea): metadata and options in the
// command table, the handler in its own module that is imported only when that command runs — so
// `--help` never loads gRPC, the Google clients, zod or YAML. A handler's options are typed from its
// option list in the command table (`Handler<typeof deployOptions>`), never cast.
import type { CommandContext } from './context.js';

export interface OptionDefinition {
  /** Commander flag syntax, e.g. "--wait-timeout <duration>" or "-y, --yes". */
  readonly flags: string;
  readonly description: string;
  readonly default?: string | boolean | readonly string[];
  /** Repeatable option collecting values into an array. */
  readonly repeatable?: boolean;
  readonly hidden?: boolean;
  /**
   * The value names an environment variable (`--token-env GH_ADMIN_TOKEN`). A value that is not a
   * variable name may be the secret itself, typed by mistake: it is registered for redaction before
   * the command line reaches the debug log.
   */
  readonly envName?: boolean;
}

/** The global flags (main.ts); each command lists in its help the ones it honours. */
export const GLOBAL_FLAGS = [
  '--config',
  '--lockfile',
  '--project',
  '--region',
  '--json',
  '--yes',
  '--verbose',
  '--emulator',
  '--impersonate-service-account',
] as const;
export type GlobalFlag = (typeof GLOBAL_FLAGS)[number];

export interface ArgumentDefinition {
  name: string;
  description: string;
  required?: boolean;
  /**
   * The argument names a secret (`secrets show NAME`): anything but a known name may be a value
   * typed in the wrong place, so it is never echoed, and the debug log records it as "not shown".
   */
  secretName?: boolean;
}

// "--wait-timeout <duration>" → "wait-timeout" → "waitTimeout", as commander names it.
type LongName<F extends string> = F extends `${string}--${infer Rest}` ? (Rest extends `${infer Name} ${string}` ? Name : Rest) : never;
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
// "--no-free-tier" is commander's negation of "freeTier": true unless the flag is given.
type OptionName<F extends string> = LongName<F> extends `no-${infer Rest}` ? Camel<Rest> : Camel<LongName<F>>;
type ValueOf<O extends OptionDefinition> = O extends { repeatable: true }
  ? string[]
  : O['flags'] extends `${string}<${string}>`
    ? string
    : boolean;

/** The parsed options of a command, typed from its option list: a value when defaulted, else possibly absent. */
export type OptionsOf<Os extends readonly OptionDefinition[]> = {
  [O in Os[number] as OptionName<O['flags']>]: LongName<O['flags']> extends `no-${string}`
    ? boolean
    : O extends { default: unknown }
      ? ValueOf<O>
      : ValueOf<O> | undefined;
};

export interface CommandInput<Options = Record<string, unknown>> {
  /** Positional argument (at most one, by the CLI's grammar). */
  arg?: string | undefined;
  /** Command options (not the global ones), camel-cased by commander. */
  options: Options;
  /**
   * Excess arguments and unknown options, only for definitions with `refuseValueArguments` (every
   * other command lets commander reject them). Possibly secret values: registered for redaction.
   */
  extra?: string[];
}

export type CommandHandler<Options = Record<string, unknown>> = (
  ctx: CommandContext,
  input: CommandInput<Options>,
) => Promise<number | void>;

export interface CommandDefinition<Os extends readonly OptionDefinition[] = readonly OptionDefinition[]> {
  /** "render", or "secrets push" for a noun-verb pair. */
  name: string;
  summary: string;
  description?: string;
  argument?: ArgumentDefinition;
  options?: Os;
  examples?: string[];
  /** Takes the run lock on the lockfile for its whole duration (mutating commands). */
  mutates?: boolean;
  /** Whether the command reads atlantis-run.yaml (decides where logs and state live). */
  usesConfig?: boolean;
  /** The global flags this command honours: listed under "Global options" in its help. */
  globals?: readonly GlobalFlag[];
  /**
   * For commands that take secret values (secrets push): a value typed as an argument would stay in
   * shell history, so it is refused — but commander's own error would echo it, and the debug log
   * records the command line. With this set, excess arguments and unknown options reach the run
   * instead, which registers them (and a positional that does not look like a name) as secret
   * values before anything is logged, then refuses them with the reason (exit 2).
   */
  refuseValueArguments?: boolean;
  load: () => Promise<{ handler: CommandHandler<never> }>;
}

/** A handler typed by its command's option list: `export const handler: Handler<typeof deployOptions> = …`. */
export type Handler<Os extends readonly OptionDefinition[] = readonly []> = CommandHandler<OptionsOf<Os>>;

export function defineCommand<const Os extends readonly OptionDefinition[] = readonly []>(
  definition: CommandDefinition<Os>,
): CommandDefinition<Os> {
  return definition;
}
