// Rolling the Cloud Run service out and waiting for it to settle: the one path by which deploy's
// service phase and `secrets push` write the service. A revision that cannot become ready is
// reported with its condition message and where its logs are; Cloud Run keeps serving the previous
// ready revision, and the next run simply tries again.
import { OperationError } from '../errors.js';
import type { RunContext } from '../engine/context.js';
import { GcpError } from '../gcp/errors.js';
import { getService, type RunService } from '../gcp/apis/run.js';
import { poll, seconds } from '../gcp/poll.js';
import { failedRevision, revisionFailure } from './service.js';

type Rollout = Pick<RunContext, 'gcp' | 'config' | 'waitTimeoutMs'>;

/**
 * Writes the service (`write`: a create or an update that waits for its operation), then waits until
 * Cloud Run has settled it and returns it — or throws the failed revision's reason.
 */
export async function writeAndSettle(ctx: Rollout, onProgress: (ms: number) => void, write: () => Promise<void>): Promise<RunService> {
  try {
    await write();
  } catch (err) {
    // A revision that cannot become ready ends the operation with an error; say why it failed.
    if (err instanceof GcpError && err.method !== 'CreateService' && err.method !== 'UpdateService') {
      const now = await getService(ctx.gcp, ctx.config.names.serviceName);
      if (now && failedRevision(now)) throw await revisionFailure(ctx, now, err);
    }
    throw err;
  }
  return settledService(ctx, onProgress);
}

/** The service once Cloud Run is done reconciling it; its failed revision, if any, as an error. */
export async function settledService(ctx: Rollout, onProgress: (ms: number) => void): Promise<RunService> {
  const current = await waitUntilSettled(ctx, onProgress);
  if (!current) throw new OperationError(`service ${ctx.config.service} disappeared while it was being rolled out`);
  if (failedRevision(current)) throw await revisionFailure(ctx, current);
  return current;
}

/** The service once it is no longer reconciling (undefined if it does not exist). */
export function waitUntilSettled(ctx: Rollout, onProgress: (ms: number) => void): Promise<RunService | undefined> {
  return poll<RunService | undefined>(
    {
      timeoutMs: ctx.waitTimeoutMs,
      firstDelayMs: Math.min(250, ctx.gcp.caller.timing.pollMs),
      maxDelayMs: 5_000,
      onProgress,
      timeoutError: (elapsed) =>
        new OperationError(`timed out waiting for service ${ctx.config.service} to finish rolling out (${seconds(elapsed)}s)`, {
          hint: 'the rollout goes on in Cloud Run; run deploy again later, or raise --wait-timeout',
        }),
    },
    async () => {
      const service = await getService(ctx.gcp, ctx.config.names.serviceName);
      return !service || !service.reconciling ? { done: true, value: service } : { done: false };
    },
  );
}
