// The last line of --json output (and the debug log's record of it), typed per command by the
// schemas of src/cli/results.ts — imported as types only, so printing a result loads no zod.
import type { CommandContext } from './context.js';
import type { ResultCommand, ResultOf } from './results.js';

export function emitResult<C extends ResultCommand>(ctx: CommandContext, command: C, result: ResultOf<C>): void {
  ctx.host.result({ ok: true, command, ...result });
}
