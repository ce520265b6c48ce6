// The one confirmation rule: with --yes, go; on a terminal, ask; anywhere else (CI, a pipe, --json)
// refuse with exit 2 and say which flag answers. And the one "cancelled" outcome when the answer is no:
// exit 5 (ExitCode.declined), so a script can tell "declined" from "done".
import { ExitCode, UsageError } from '../errors.js';
import type { CommandContext } from './context.js';
import { emitResult } from './emit-result.js';
import type { ResultCommand, ResultOf } from './results.js';

export interface Confirmation {
  /** The question, without "?": "Apply 3 changes". */
  question: string;
  /** Said after the question on a terminal: "Once rolled out, …". */
  detail?: string;
  /** The refusal without a terminal, when it should say more than "<question>: confirmation required". */
  refusal?: string;
  hint?: string;
}

export async function confirmOrRequireYes(ctx: CommandContext, c: Confirmation): Promise<boolean> {
  if (ctx.globals.yes) return true;
  if (!ctx.host.canPrompt) {
    throw new UsageError(c.refusal ?? `${c.question}: confirmation required and not running interactively`, {
      hint: c.hint ?? 'pass --yes (-y)',
    });
  }
  return ctx.host.confirm({ message: `${c.question}?${c.detail ? ` ${c.detail}` : ''}`, flag: '--yes', default: false });
}

/** The answer was no: say that nothing happened, end with the command's `cancelled` result, exit 5. */
export function cancelled<C extends ResultCommand>(ctx: CommandContext, command: C, message: string, result: ResultOf<C>): number {
  ctx.host.print(message);
  emitResult(ctx, command, result);
  return ExitCode.declined;
}

/** "3 resources", "1 resource". */
export const resourceCount = (n: number) => `${n} resource${n === 1 ? '' : 's'}`;

/**
 * Before a teardown (`destroy`, `ci teardown`): each step shown as a planned delete, then "Delete N
 * resources WHAT" asked. True when there is nothing to delete or the answer is yes.
 */
export async function confirmDeletes(
  ctx: CommandContext,
  phase: string,
  steps: readonly { kind: string; resource: string }[],
  what: string,
): Promise<boolean> {
  for (const step of steps) {
    ctx.host.emit({ type: 'resource-changed', phase, kind: step.kind, resource: step.resource, action: 'delete', planned: true });
  }
  return steps.length === 0 || confirmOrRequireYes(ctx, { question: `Delete ${resourceCount(steps.length)} ${what}` });
}
