// A plan as text: one block per resource, fields underneath, like `terraform plan` but per phase.
import type { PlannedChange } from '../engine/phase.js';
import { describeField } from './reporters/describe.js';

const SIGN: Record<string, string> = { create: '+', update: '~', delete: '-', noop: ' ' };

export function formatPlan(changes: (PlannedChange & { phase: string })[]): string {
  const lines: string[] = [];
  let phase = '';
  for (const change of changes) {
    if (change.phase !== phase) {
      phase = change.phase;
      lines.push('', `# ${phase}`);
    }
    lines.push(`${SIGN[change.action] ?? '?'} ${change.kind} ${change.resource}${change.reason ? `  (${change.reason})` : ''}`);
    for (const field of change.fields ?? []) lines.push(`    ${describeField(field)}`);
  }
  return lines.join('\n').replace(/^\n/, '');
}
