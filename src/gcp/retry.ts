// The one retry helper. Retries happen only here, only for errors a predicate names, with
// jittered exponential backoff (p-retry). The Google libraries' own retries are turned off per call
// (see NO_GAX_RETRY) so that a failure is retried once, by rules we can read and test.
import pRetry, { AbortError } from 'p-retry';
import { GcpError, toGcpError } from './errors.js';

export type RetryPredicate = (err: GcpError) => boolean;

/** 429 / RESOURCE_EXHAUSTED: quota and rate limits. */
export const isRateLimited: RetryPredicate = (e) => e.code === 'RESOURCE_EXHAUSTED';

/** 503 / UNAVAILABLE (and gateway timeouts): transient outages. */
export const isUnavailable: RetryPredicate = (e) => e.code === 'UNAVAILABLE' || e.code === 'DEADLINE_EXCEEDED';

/**
 * IAM eventual consistency: a service account created seconds ago is not yet visible to other
 * APIs, which answer 400 INVALID_ARGUMENT or 404 NOT_FOUND naming it.
 */
export const isIamPropagation: RetryPredicate = (e) =>
  (e.code === 'INVALID_ARGUMENT' || e.code === 'NOT_FOUND') &&
  /service ?account/i.test(e.message) &&
  /(does not exist|not found)/i.test(e.message);

/** 409 / ABORTED: an IAM policy (or resource) changed since we read its etag. */
export const isEtagConflict: RetryPredicate = (e) => e.code === 'ABORTED' || (e.code === 'FAILED_PRECONDITION' && /etag/i.test(e.message));

/** 500 / INTERNAL (and UNKNOWN): Google failed on its side; the same request may well succeed. */
export const isInternal: RetryPredicate = (e) => e.code === 'INTERNAL' || e.code === 'UNKNOWN';

/** ABORTED: a concurrency conflict; a read simply reads again. */
export const isAborted: RetryPredicate = (e) => e.code === 'ABORTED';

export const TRANSIENT: RetryPredicate[] = [isRateLimited, isUnavailable];
/**
 * What a read retries: it changes nothing, so anything transient — also INTERNAL and ABORTED, which
 * Google's own client configurations retry for idempotent methods — is worth another try.
 */
export const IDEMPOTENT_READ: RetryPredicate[] = [...TRANSIENT, isInternal, isAborted];
/**
 * Failures after which a write may have been carried out all the same (its reply was lost): a
 * write that is not idempotent is sent again after these only once the caller has checked that
 * it did not happen (ApiCaller.run's `happened`).
 */
export const MAYBE_APPLIED: RetryPredicate[] = [...TRANSIENT, isInternal];
/**
 * For the setIamPolicy call itself: a fresh service account may not be visible yet, so retry that;
 * an etag conflict is not retried here (resending the same stale etag cannot succeed) but by the
 * read-modify-write around it.
 */
export const IAM_SET: RetryPredicate[] = [...TRANSIENT, isIamPropagation];

/**
 * Call options that disable google-gax's built-in retries: ours are the only ones. ApiCaller.run()
 * hands them to every call it makes, so no API module has to remember them.
 */
export const NO_GAX_RETRY = { retry: null } as const;
export type GaxCallOptions = typeof NO_GAX_RETRY;

export interface RetryOptions {
  predicates?: RetryPredicate[];
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Give up retrying after this long in total. */
  maxTotalMs?: number;
  signal?: AbortSignal;
  onRetry?: (err: GcpError, attempt: number, delayHintMs: number) => void;
}

/** Runs `fn`, retrying errors the predicates accept. Errors come out normalised (GcpError). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const predicates = options.predicates ?? TRANSIENT;
  const minTimeout = options.minDelayMs ?? DEFAULT_BASE_DELAY_MS;
  return pRetry(
    async (attempt) => {
      try {
        return await fn(attempt);
      } catch (err) {
        const normalised = toGcpError(err);
        if (normalised instanceof GcpError && predicates.some((p) => p(normalised))) throw normalised;
        // Not retryable: stop at once with the original (normalised) error.
        throw new AbortError(normalised instanceof Error ? normalised : new Error(String(normalised)));
      }
    },
    {
      retries: options.retries ?? 6,
      factor: 2,
      minTimeout,
      maxTimeout: options.maxDelayMs ?? Math.max(minTimeout, 8_000),
      randomize: true,
      ...(options.maxTotalMs !== undefined ? { maxRetryTime: options.maxTotalMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (error instanceof GcpError) options.onRetry?.(error, attemptNumber, minTimeout * 2 ** (attemptNumber - 1));
      },
    },
  ).catch((err: unknown) => {
    // p-retry rethrows AbortError's original error; keep the normalised form.
    throw toGcpError(err);
  });
}

/** Against Google, a half-second first retry is kind to quotas. */
export const DEFAULT_BASE_DELAY_MS = 500;

/**
 * Timing knobs read from the command's environment: ATLANTIS_RUN_RETRY_BASE_MS (first retry delay)
 * and ATLANTIS_RUN_POLL_MS (first operation poll delay). Tests and benchmarks against the local
 * emulator shrink them; nothing else should need to.
 */
export interface Timing {
  retryBaseMs: number;
  pollMs: number;
}

export function timingFromEnv(env: NodeJS.ProcessEnv): Timing {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    const value = Number(raw);
    return raw !== undefined && raw !== '' && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return { retryBaseMs: read('ATLANTIS_RUN_RETRY_BASE_MS', DEFAULT_BASE_DELAY_MS), pollMs: read('ATLANTIS_RUN_POLL_MS', 500) };
}
