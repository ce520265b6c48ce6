// Commands that take secret values (`secrets push`, `secrets rotate`) never take one from the
// command line: it would stay in shell history and in process listings. Commander would reject an
// excess argument or an unknown option itself, but its message echoes the token, and the debug log
// records the command line — so for those commands the tokens come here first. Everything that may
// be a value is registered with the redactor before anything is logged, then refused (exit 2) with
// the reason and the ways a value may be given.
import { UsageError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { registerSecret } from '../util/redact.js';
import type { CommandDefinition, CommandInput } from './command.js';

/** What an environment variable's name looks like. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Options that name an environment variable (`envName`): a value that is not a name may be the
 * secret itself, typed by mistake — registered for redaction before anything is logged.
 */
export function screenEnvNameOptions(definition: CommandDefinition, options: Record<string, unknown>): void {
  for (const option of definition.options ?? []) {
    if (!option.envName) continue;
    const key = option.flags.match(/--([a-z0-9-]+)/)?.[1]?.replace(/-([a-z0-9])/g, (_m: string, c: string) => c.toUpperCase());
    const value = key === undefined ? undefined : options[key];
    if (typeof value === 'string' && !ENV_NAME.test(value)) registerSecret(value);
  }
}

/** What a logical name looks like (`vcs-token`); anything else given as NAME may be a value. */
const NAME_LIKE = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Registers possible values for redaction and returns the input without them, plus the error to
 * throw when there were any. Option names themselves (`--value`) are not secret and are named.
 */
export function screenValueArguments(definition: CommandDefinition, input: CommandInput): { input: CommandInput; error?: UsageError } {
  const tokens = [...(input.arg?.startsWith('-') ? [input.arg] : []), ...(input.extra ?? [])];
  const arg = input.arg?.startsWith('-') ? undefined : input.arg;
  if (arg !== undefined && !NAME_LIKE.test(arg)) registerSecret(arg);
  const cleaned: CommandInput = { ...(arg !== undefined ? { arg } : {}), options: input.options };
  if (tokens.length === 0) return { input: cleaned };

  const options: string[] = [];
  let positional = 0;
  for (const token of tokens) {
    if (token.length > 1 && token.startsWith('-')) {
      const eq = token.indexOf('=');
      if (eq > 0) registerSecret(token.slice(eq + 1));
      options.push(eq > 0 ? token.slice(0, eq) : token);
    } else {
      registerSecret(token);
      positional += 1;
    }
  }
  const known = (definition.options ?? []).flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('--')));
  const what: string[] = [];
  if (positional > 0) what.push(`${positional === 1 ? 'an extra argument' : `${positional} extra arguments`} (not shown)`);
  for (const option of options) {
    const suggestion = closest(option, known);
    what.push(`unknown option ${option}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
  }
  const error = new UsageError(
    `${definition.name}: ${what.join(', ')} — secret values are never taken from the command line, where they would stay in shell history and process listings`,
    {
      hint:
        definition.name === 'secrets push'
          ? 'give the value with --from-file PATH, --from-file - (stdin), the source configured in atlantis-run.yaml (secrets.NAME: {fromEnv: VAR} or {fromFile: path}), or type it at the hidden prompt on a terminal'
          : `see atlantis-run ${definition.name} --help`,
    },
  );
  return { input: cleaned, error };
}
