// One wording of every event, shared by the interactive and the plain reporter.
import type { EngineEvent, FieldChange } from '../../engine/events.js';

const VERB: Record<string, [done: string, planned: string]> = {
  create: ['created', 'will create'],
  update: ['updated', 'will update'],
  delete: ['deleted', 'will delete'],
  noop: ['unchanged', 'no change'],
};

export function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function describeField(field: FieldChange): string {
  if (field.from === undefined) return `${field.path}: ${formatValue(field.to)}`;
  if (field.to === undefined) return `${field.path}: ${formatValue(field.from)} → (removed)`;
  return `${field.path}: ${formatValue(field.from)} → ${formatValue(field.to)}`;
}

export function elapsed(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** The main line for an event, or undefined for events that only drive spinners. */
export function describeEvent(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'phase-start':
      return `${event.title}…`;
    case 'phase-end':
      return `${event.phase}: ${event.status === 'ok' ? 'done' : event.status}${event.summary ? ` — ${event.summary}` : ''} (${elapsed(event.elapsedMs)})`;
    case 'resource-changed': {
      const [done, planned] = VERB[event.action] ?? [event.action, event.action];
      return `${event.planned ? planned : done} ${event.kind} ${event.resource}${event.reason ? ` (${event.reason})` : ''}`;
    }
    case 'operation-progress':
      return `${event.phase}: ${event.operation} ${event.resource} (${elapsed(event.elapsedMs)})${event.message ? ` — ${event.message}` : ''}`;
    case 'info':
      return event.message;
    case 'warning':
      return `warning: ${event.message}${event.hint ? `\n  hint: ${event.hint}` : ''}`;
  }
}
