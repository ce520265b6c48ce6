// The one polling loop: long-running operations, a service settling after a rollout, a resource
// another run is still creating. Each probe is a logged call through ApiCaller (so Ctrl-C stops
// between polls); the delay grows by half each time up to a cap; progress is reported with the
// elapsed time; the wait is bounded by --wait-timeout and ends with an error that says what goes on.
export interface PollOptions {
  timeoutMs: number;
  /** The first wait between probes; it grows by half each time. */
  firstDelayMs: number;
  maxDelayMs: number;
  onProgress?: ((elapsedMs: number) => void) | undefined;
  /** The error thrown when the next wait would pass the timeout. */
  timeoutError: (elapsedMs: number) => Error;
}

export type Probe<T> = () => Promise<{ done: true; value: T } | { done: false }>;

export async function poll<T>(options: PollOptions, probe: Probe<T>): Promise<T> {
  const started = Date.now();
  let delay = Math.max(1, options.firstDelayMs);
  for (;;) {
    const outcome = await probe();
    if (outcome.done) return outcome.value;
    const elapsed = Date.now() - started;
    options.onProgress?.(elapsed);
    if (elapsed + delay > options.timeoutMs) throw options.timeoutError(elapsed);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 1.5, options.maxDelayMs);
  }
}

/** Whole seconds, for "still running after 42s". */
export const seconds = (ms: number): number => Math.round(ms / 1000);
