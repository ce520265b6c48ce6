// What the secrets handlers share beyond the common options.
import type { CommandContext } from '../context.js';

/** Whether stdout is a terminal a person reads (not a pipe, a file, or --json). */
export function stdoutIsTerminal(ctx: CommandContext): boolean {
  return !ctx.globals.json && Boolean(ctx.host.streams.stdout.isTTY);
}
