// What the CI phases share: waits reported as progress, field-by-field differences of the few
// settings they manage, and the target only `ci setup` has (`ci teardown` needs none).
import type { RunContext } from '../../engine/context.js';
import { progress } from '../../engine/context.js';
import type { FieldChange } from '../../engine/events.js';
import type { WaitSettings } from '../../gcp/apis/workload-identity.js';
import type { CiTarget } from './target.js';

export function waitOf(ctx: Pick<RunContext, 'emit' | 'waitTimeoutMs'>, phase: string, operation: string, resource: string): WaitSettings {
  return { timeoutMs: ctx.waitTimeoutMs, onProgress: progress(ctx.emit, phase, operation, resource) };
}

/** Equal as JSON values, object keys in any order (attribute mappings). */
export function sameValue(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([x], [y]) => (x < y ? -1 : 1))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export interface FieldSpec {
  /** The field as the plan shows it (camelCase, dotted). */
  path: string;
  /** The update mask path Google takes for it (snake_case). */
  mask: string;
  live: unknown;
  desired: unknown;
}

/** The fields that differ, as plan changes and as the update mask that changes exactly them. */
export function differences(specs: FieldSpec[]): { fields: FieldChange[]; mask: string[] } {
  const changed = specs.filter((s) => !sameValue(s.live, s.desired));
  return {
    fields: changed.map((s) => ({ path: s.path, ...(s.live !== undefined ? { from: s.live } : {}), to: s.desired })),
    mask: changed.map((s) => s.mask),
  };
}

/** The target of a setup run; teardown phases never ask for it. */
export function requireTarget(target: CiTarget | undefined): CiTarget {
  if (!target) throw new Error('ci setup phases need a target (system and repository)');
  return target;
}
