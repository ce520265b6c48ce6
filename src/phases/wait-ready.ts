// Waiting for an instance a phase created (or an earlier, killed run started creating) to be READY:
// Memorystore and Filestore alike, through the one polling loop, with the same words on timeout.
import { OperationError } from '../errors.js';
import type { PhaseContext } from '../engine/phase.js';
import { poll, seconds } from '../gcp/poll.js';

export async function waitUntilReady<T extends { state?: string | null | undefined }>(
  ctx: PhaseContext,
  spec: {
    /** The product as users know it: "Memorystore", "Filestore". */
    product: string;
    /** The instance id, for messages. */
    id: string;
    read: () => Promise<T | undefined>;
    onProgress: (elapsedMs: number) => void;
  },
): Promise<T> {
  const what = `${spec.product} instance ${spec.id}`;
  return poll<T>(
    {
      timeoutMs: ctx.waitTimeoutMs,
      firstDelayMs: ctx.gcp.caller.timing.pollMs,
      maxDelayMs: 10_000,
      onProgress: spec.onProgress,
      timeoutError: (elapsed) =>
        new OperationError(`timed out waiting for ${what} to be READY: still not after ${seconds(elapsed)}s`, {
          hint: `${spec.product} goes on in Google Cloud; run the command again to pick it up, or raise --wait-timeout`,
        }),
    },
    async () => {
      const instance = await spec.read();
      if (!instance) throw new OperationError(`${what} disappeared while this run waited for it`);
      return instance.state === 'READY' ? { done: true, value: instance } : { done: false };
    },
  );
}
