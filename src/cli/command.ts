// Commands as small typed definitions (wrangler's createCommand idea): metadata and options here,
// the handler in its own module that is imported only when that command runs — so `--help` never
// loads gRPC, the Google clients, zod or YAML.
import type { CommandContext } from './context.js';

export interface OptionDefinition {
  /** Commander flag syntax, e.g. "--wait-timeout <duration>" or "-y, --yes". */
  flags: string;
  description: string;
  default?: string | boolean | string[];
  /** Repeatable option collecting values into an array. */
  repeatable?: boolean;
  hidden?: boolean;
}

export interface ArgumentDefinition {
  name: string;
  description: string;
  required?: boolean;
}

export interface CommandInput {
  /** Positional argument (at most one, by the CLI's grammar). */
  arg?: string | undefined;
  /** Command options (not the global ones), camel-cased by commander. */
  options: Record<string, unknown>;
  /**
   * Excess arguments and unknown options, only for definitions with `refuseValueArguments` (every
   * other command lets commander reject them). Possibly secret values: registered for redaction.
   */
  extra?: string[];
}

export type CommandHandler = (ctx: CommandContext, input: CommandInput) => Promise<number | void>;

export interface CommandDefinition {
  /** "render", or "secrets push" for a noun-verb pair. */
  name: string;
  summary: string;
  description?: string;
  argument?: ArgumentDefinition;
  options?: OptionDefinition[];
  examples?: string[];
  /** Takes the run lock on the lockfile for its whole duration (mutating commands). */
  mutates?: boolean;
  /** Whether the command reads atlantis-run.yaml (decides where logs and state live). */
  usesConfig?: boolean;
  /**
   * For commands that take secret values (secrets push): a value typed as an argument would stay in
   * shell history, so it is refused — but commander's own error would echo it, and the debug log
   * records the command line. With this set, excess arguments and unknown options reach the run
   * instead, which registers them (and a positional that does not look like a name) as secret
   * values before anything is logged, then refuses them with the reason (exit 2).
   */
  refuseValueArguments?: boolean;
  load: () => Promise<{ handler: CommandHandler }>;
}

export function defineCommand(definition: CommandDefinition): CommandDefinition {
  return definition;
}
