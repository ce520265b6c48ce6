// Waiting for long-running operations: polled with a short backoff (each poll a logged call),
// progress reported with the elapsed time, bounded by --wait-timeout, stoppable by Ctrl-C.
import { OperationError } from '../errors.js';
import type { Gcp } from './call.js';

/** The part of google-gax's Operation this module uses. */
export interface PollableOperation {
  name?: string;
  done?: boolean;
  getOperation(): Promise<unknown>;
}

export interface WaitOptions {
  api: string;
  /** What is being waited for, for progress and errors: "create service atlantis". */
  label: string;
  resource: string;
  timeoutMs: number;
  onProgress?: (elapsedMs: number) => void;
}

export async function waitForOperation<T = unknown>(gcp: Gcp, operation: PollableOperation, options: WaitOptions): Promise<T | undefined> {
  const started = Date.now();
  // Google's operations take seconds: the first poll comes after half a second (ATLANTIS_RUN_POLL_MS).
  let delay = Math.max(1, gcp.caller.timing.pollMs);
  for (;;) {
    const [result] = (await gcp.caller.run(
      { api: options.api, method: 'GetOperation', resource: operation.name ?? options.resource },
      () => operation.getOperation() as Promise<[T | null, unknown, { done?: boolean } | undefined]>,
    )) as [T | null, unknown, { done?: boolean } | undefined];
    if (result !== null && result !== undefined) return result;
    if (operation.done) return undefined;
    const elapsed = Date.now() - started;
    options.onProgress?.(elapsed);
    if (elapsed + delay > options.timeoutMs) {
      throw new OperationError(
        `timed out waiting to ${options.label}: still running after ${Math.round(elapsed / 1000)}s (operation ${operation.name ?? '?'})`,
        {
          hint: 'the operation goes on in Google Cloud; run the command again to pick it up, or raise --wait-timeout',
        },
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 5_000);
  }
}
