// Reads run before the APIs phase has enabled anything, so a read against a disabled API is
// normal on a fresh project: nothing can exist there yet. Such reads answer "absent".
import { GcpError } from '../gcp/errors.js';
import type { PhaseContext } from '../engine/phase.js';

export async function unlessApiDisabled<T>(ctx: PhaseContext, read: Promise<T>, absent: T): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof GcpError && err.reason === 'SERVICE_DISABLED') {
      (ctx.facts.disabledApis ??= new Set()).add(err.metadata.service ?? err.api ?? 'unknown');
      return absent;
    }
    throw err;
  }
}

/** Progress reporter for a long-running call in a phase. */
export function progress(ctx: PhaseContext, phase: string, operation: string, resource: string): (elapsedMs: number) => void {
  return (elapsedMs) => ctx.emit({ type: 'operation-progress', phase, operation, resource, elapsedMs });
}
