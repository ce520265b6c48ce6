// Typed events: the only way the engine talks to the outside. It knows no terminal; the CLI picks
// a reporter (interactive, plain lines, JSON lines) and the debug log records them all.

export type ChangeAction = 'create' | 'update' | 'delete' | 'noop';

export interface FieldChange {
  /** Dotted path inside the resource, e.g. template.containers[0].image */
  path: string;
  from?: unknown;
  to?: unknown;
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
      /** True when this is a plan (nothing was changed yet). */
      planned?: boolean;
    }
  | { type: 'operation-progress'; phase: string; resource: string; operation: string; elapsedMs: number; message?: string }
  | { type: 'info'; message: string; phase?: string }
  | { type: 'warning'; message: string; hint?: string; phase?: string };

export type EventSink = (event: EngineEvent) => void;
