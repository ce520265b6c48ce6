// Typed events: the only way the engine talks to the outside. It knows no terminal; the CLI picks
// a reporter (interactive, plain lines, JSON lines) and the debug log records them all.

export type ChangeAction = 'create' | 'update' | 'delete' | 'noop';

export interface FieldChange {
  /** Dotted path inside the resource, e.g. template.containers[0].image */
  path: string;
  from?: unknown;
  to?: unknown;
}

/** One change a phase plans (and later applies or reports): what the plan shows, field by field. */
export interface PlannedChange {
  kind: string;
  resource: string;
  action: ChangeAction;
  fields?: FieldChange[];
  /** Why, when it is not obvious from the fields (e.g. "retry the failed revision"). */
  reason?: string;
}

export interface Warning {
  message: string;
  hint?: string;
  /** A risky setting (config/risks.ts): a deploy needs it accepted. */
  risk?: string;
}

export type EngineEvent =
  | { type: 'phase-start'; phase: string; title: string }
  | { type: 'phase-end'; phase: string; status: 'ok' | 'failed' | 'skipped'; changed: number; elapsedMs: number; summary?: string }
  | {
      type: 'resource-changed';
      phase: string;
      kind: string;
      resource: string;
      action: ChangeAction;
      fields?: FieldChange[];
      /** Why, when the fields do not say it (the Atlantis versions behind two digests, a retry…). */
      reason?: string;
      /** True when this is a plan (nothing was changed yet). */
      planned?: boolean;
    }
  | { type: 'operation-progress'; phase: string; resource: string; operation: string; elapsedMs: number; message?: string }
  | { type: 'info'; message: string; phase?: string }
  | { type: 'warning'; message: string; hint?: string; phase?: string; risk?: string };

export type EventSink = (event: EngineEvent) => void;

/**
 * Runs `work` as a span: phase-start before, phase-end after (ok with its summary, or failed with
 * the error's message), the elapsed time measured here. Every phase-like step reports through it.
 */
export async function withSpan<T>(
  emit: EventSink,
  span: { phase: string; title: string },
  work: () => Promise<T>,
  outcome: (value: T) => { changed: number; summary?: string | undefined } = () => ({ changed: 0 }),
): Promise<T> {
  const started = Date.now();
  emit({ type: 'phase-start', phase: span.phase, title: span.title });
  try {
    const value = await work();
    const { changed, summary } = outcome(value);
    emit({ type: 'phase-end', phase: span.phase, status: 'ok', changed, elapsedMs: Date.now() - started, ...(summary ? { summary } : {}) });
    return value;
  } catch (err) {
    const summary = err instanceof Error ? err.message : String(err);
    emit({ type: 'phase-end', phase: span.phase, status: 'failed', changed: 0, elapsedMs: Date.now() - started, summary });
    throw err;
  }
}
