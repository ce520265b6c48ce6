// What the four `secrets` handlers share: the run they hand to src/secrets/, and flag parsing.
import { UsageError } from '../../errors.js';
import type { SecretsRun } from '../../secrets/context.js';
import type { CommandContext } from '../context.js';
import { openSession } from '../session.js';

export async function openSecretsRun(ctx: CommandContext, waitTimeoutMs: number): Promise<SecretsRun> {
  const session = await openSession(ctx);
  return {
    config: session.config,
    gcp: session.gcp,
    emit: ctx.host.emit,
    lock: session.lock,
    env: ctx.env,
    waitTimeoutMs,
    updateLock: (edit) => session.rewrite((data) => ({ ...data, resources: edit(data.resources) })),
  };
}

/** --keep N: how many of the newest enabled versions always stay enabled (at least 1). */
export function parseKeep(raw: unknown): number {
  const text = String(raw ?? '2').trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new UsageError(`--keep: expected a whole number of versions, at least 1, got "${text}"`);
  return n;
}

/** Whether stdout is a terminal a person reads (not a pipe, a file, or --json). */
export function stdoutIsTerminal(ctx: CommandContext): boolean {
  return !ctx.globals.json && Boolean(ctx.host.streams.stdout.isTTY);
}
