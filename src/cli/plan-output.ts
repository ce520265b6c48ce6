// A plan as the user reads it, the same for `plan` and for `deploy`'s confirmation: the changes
// phase by phase (`+ ~ -`, fields underneath) and the summary line. And the flags a suggested
// command must repeat so that it acts on the same configuration and the same cloud.
import type { ReportOptions } from '../deployment/report.js';
import type { EnginePlan } from '../engine/runner.js';
import type { PlannedChange } from '../engine/phase.js';
import { formatPlan } from '../ui/plan-format.js';
import type { GlobalOptions } from './context.js';

export type PlanChange = PlannedChange & { phase: string };

export function planChanges(plan: EnginePlan): PlanChange[] {
  return plan.phases.flatMap((p) => p.plan.changes.map((c) => ({ phase: p.name, ...c })));
}

export function planCounts(changes: readonly PlanChange[]): { create: number; update: number; delete: number } {
  const count = (action: string) => changes.filter((c) => c.action === action).length;
  return { create: count('create'), update: count('update'), delete: count('delete') };
}

/** The plan and its summary line ("Plan: 3 to create, 1 to update, 0 to delete."), then `closing` if given. */
export function planText(changes: readonly PlanChange[], closing?: string): string {
  const c = planCounts(changes);
  const summary = `Plan: ${c.create} to create, ${c.update} to update, ${c.delete} to delete.${closing ? ` ${closing}` : ''}`;
  return `${formatPlan([...changes])}\n\n${summary}`;
}

/**
 * The global flags a suggested follow-up command repeats (" --config other.yaml --emulator"), as
 * given, shell-quoted where needed: a hint that drops them would act on another file or another cloud.
 */
export function repeatedFlags(globals: GlobalOptions): string {
  const parts: string[] = [];
  if (globals.config !== undefined) parts.push('--config', shellQuote(globals.config));
  if (globals.lockfile !== undefined) parts.push('--lockfile', shellQuote(globals.lockfile));
  if (globals.project !== undefined) parts.push('--project', shellQuote(globals.project));
  if (globals.region !== undefined) parts.push('--region', shellQuote(globals.region));
  if (globals.impersonateServiceAccount !== undefined)
    parts.push('--impersonate-service-account', shellQuote(globals.impersonateServiceAccount));
  if (globals.emulator) parts.push('--emulator');
  return parts.map((p) => ` ${p}`).join('');
}

/** What a deploy's report repeats in the commands it suggests, and whether the run was a rehearsal. */
export function reportOptions(globals: GlobalOptions, usingEmulator: boolean): ReportOptions {
  return {
    flags: repeatedFlags(globals),
    emulated: globals.emulator || usingEmulator,
    realFlags: repeatedFlags({ ...globals, emulator: false }),
    emulatorFromEnv: usingEmulator && !globals.emulator,
  };
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
