// Every Google call goes through ApiCaller.run(): it stops before starting a call once Ctrl-C was
// pressed (the call in flight finishes), retries through the shared predicates, records the call
// in the debug log, counts calls, and normalises errors with what was being called.
import { InterruptedError } from '../errors.js';
import type { DebugLog } from '../util/debug-log.js';
import { GcpError, toGcpError } from './errors.js';
import {
  IAM_SET,
  IDEMPOTENT_READ,
  NO_GAX_RETRY,
  TRANSIENT,
  withRetry,
  type GaxCallOptions,
  type RetryPredicate,
  type Timing,
} from './retry.js';
import type { ClientFactory } from './factory.js';

export interface CallInfo {
  /** e.g. run.googleapis.com */
  api: string;
  /** e.g. CreateService */
  method: string;
  resource?: string;
  mutating?: boolean;
  /** Retry predicates; defaults to transient errors for writes, and also INTERNAL and ABORTED for reads. */
  retry?: RetryPredicate[];
  /** A call of the run lock itself (taking, renewing, releasing it): not held back until the lock is held. */
  runLock?: boolean;
}

/**
 * For a write that must not happen twice (AddSecretVersion): asked before the write is sent again
 * after a failure its predicates retry — the reply may have been lost after Google carried it out.
 * What it answers (other than undefined) is taken as the write's result, and nothing is sent again.
 */
export type HappenedCheck<T> = () => Promise<T | undefined>;

export interface CallStats {
  calls: number;
  mutating: number;
  retries: number;
}

export class ApiCaller {
  readonly stats: CallStats = { calls: 0, mutating: 0, retries: 0 };
  /** Who the calls are made as (the factory's identity()): named when a permission is missing. */
  identify: (() => Promise<string | undefined>) | undefined;
  /**
   * Awaited before every mutating call (but the run lock's own): the session sets it to take the
   * run lock in the project, so that nothing changes before this run holds it.
   */
  beforeMutation: (() => Promise<unknown>) | undefined;

  constructor(
    private readonly logger: DebugLog,
    private readonly signal?: AbortSignal,
    private readonly onRetry?: (info: CallInfo, err: GcpError, attempt: number) => void,
    readonly timing: Timing = { retryBaseMs: 500, pollMs: 500 },
  ) {}

  /**
   * Makes one Google call: `fn` receives the call options every google-gax method takes (its own
   * retries off: the retries are ours, here, by the predicates of `info.retry`).
   */
  async run<T>(info: CallInfo, fn: (options: GaxCallOptions) => Promise<T>, happened?: HappenedCheck<T>): Promise<T> {
    const started = Date.now();
    if (info.mutating && !info.runLock && this.beforeMutation) await this.beforeMutation();
    try {
      const result = await withRetry(
        async (attempt) => {
          if (attempt > 1 && happened) {
            const earlier = await happened();
            if (earlier !== undefined) {
              this.logger.write('adopted', { method: info.method, resource: info.resource, attempt });
              return earlier;
            }
          }
          this.throwIfAborted();
          this.stats.calls += 1;
          if (info.mutating) this.stats.mutating += 1;
          this.logger.write('call', { api: info.api, method: info.method, resource: info.resource, mutating: Boolean(info.mutating) });
          return fn(NO_GAX_RETRY);
        },
        {
          predicates: info.retry ?? (info.mutating ? TRANSIENT : IDEMPOTENT_READ),
          minDelayMs: this.timing.retryBaseMs,
          // IAM can take a minute to show a new service account to other APIs: wait longer for it.
          ...(info.retry === IAM_SET ? { retries: 10, maxDelayMs: Math.max(this.timing.retryBaseMs, 10_000) } : {}),
          onRetry: (err, attempt) => {
            this.stats.retries += 1;
            this.logger.write('retry', { method: info.method, resource: info.resource, attempt, code: err.code, message: err.message });
            this.onRetry?.(info, err, attempt);
          },
        },
      );
      this.logger.write('call-ok', { method: info.method, resource: info.resource, ms: Date.now() - started });
      return result;
    } catch (err) {
      const e = withContext(toGcpError(err), info);
      this.logger.write('call-failed', { method: info.method, resource: info.resource, ms: Date.now() - started, error: e });
      if (e instanceof GcpError && e.code === 'PERMISSION_DENIED' && e.reason !== 'SERVICE_DISABLED' && !e.caller && this.identify) {
        e.caller = await this.identify();
      }
      throw e;
    }
  }

  /** Writes to the debug log (for clients that make their own HTTP calls, like the registry client). */
  log(kind: string, data: Record<string, unknown> = {}): void {
    this.logger.write(kind, data);
  }

  throwIfAborted(): void {
    if (this.signal?.aborted) throw this.signal.reason instanceof Error ? this.signal.reason : new InterruptedError();
  }
}

/** Adds the call's api/method/resource to a GcpError that lacks them. */
export function withContext(err: unknown, info: CallInfo): unknown {
  if (!(err instanceof GcpError) || err.method) return err;
  return new GcpError(err.code, err.message, {
    reason: err.reason,
    metadata: err.metadata,
    httpStatus: err.httpStatus,
    cause: err.cause ?? err,
    api: info.api,
    method: info.method,
    resource: info.resource,
  });
}

/** What every API module works with. */
export interface Gcp {
  factory: ClientFactory;
  caller: ApiCaller;
}

/**
 * A read against an API that is not enabled yet answers "absent": nothing can exist there. Normal on a
 * fresh project, where every read runs before the APIs phase has enabled anything. `onDisabled`
 * hears which API it was.
 */
export async function unlessApiDisabled<T>(read: Promise<T>, absent: T, onDisabled?: (api: string) => void): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof GcpError && err.reason === 'SERVICE_DISABLED') {
      onDisabled?.(err.metadata.service ?? err.api ?? 'unknown');
      return absent;
    }
    throw err;
  }
}

/** Returns undefined for NOT_FOUND: the common "does it exist?" read. */
export async function orMissing<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof GcpError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
}

/** For teardown reads: what exists, or undefined when it is absent or behind a disabled API (nothing to delete). */
export function existing<T>(read: Promise<T | undefined>): Promise<T | undefined> {
  return unlessApiDisabled(orMissing(read), undefined);
}
