// Waiting for long-running operations: polled through the one polling loop (each poll a logged
// call), progress reported with the elapsed time, bounded by --wait-timeout, stoppable by Ctrl-C.
import { OperationError } from '../errors.js';
import type { Gcp } from './call.js';
import { poll, seconds } from './poll.js';

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
  onProgress?: ((elapsedMs: number) => void) | undefined;
}

type OperationReply<T> = [T | null, unknown, { done?: boolean } | undefined];

export async function waitForOperation<T = unknown>(gcp: Gcp, operation: PollableOperation, options: WaitOptions): Promise<T | undefined> {
  return poll<T | undefined>(
    {
      timeoutMs: options.timeoutMs,
      // Google's operations take seconds: the first poll comes after half a second (ATLANTIS_RUN_POLL_MS).
      firstDelayMs: gcp.caller.timing.pollMs,
      maxDelayMs: 5_000,
      onProgress: options.onProgress,
      timeoutError: (elapsed) =>
        new OperationError(
          `timed out waiting to ${options.label}: still running after ${seconds(elapsed)}s (operation ${operation.name ?? '?'})`,
          { hint: 'the operation goes on in Google Cloud; run the command again to pick it up, or raise --wait-timeout' },
        ),
    },
    async () => {
      const [result] = await gcp.caller.run(
        { api: options.api, method: 'GetOperation', resource: operation.name ?? options.resource },
        () => operation.getOperation() as Promise<OperationReply<T>>,
      );
      if (result !== null && result !== undefined) return { done: true, value: result };
      return operation.done ? { done: true, value: undefined } : { done: false };
    },
  );
}
