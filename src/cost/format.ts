// Estimates and comparisons as text for a terminal: one line per item with its quantity and rate,
// the total, then the assumptions — every figure traceable to its rate and its source.
import type { Alternative } from './compare.js';
import { usd, type CostEstimate } from './model.js';

export function formatEstimate(estimate: CostEstimate, title: string): string {
  const lines = [`${title}: ${usd(estimate.monthlyTotalUsd)} a month`, ''];
  const width = Math.max(...estimate.items.map((i) => i.label.length));
  for (const item of estimate.items) {
    const mark = item.verified ? ' ' : '*';
    const how = item.quantity === '—' ? item.rate : `${item.quantity} at ${item.rate}`;
    lines.push(`  ${item.label.padEnd(width)}  ${usd(item.monthlyUsd).padStart(9)}${mark}  ${how}`);
    if (item.note) lines.push(`  ${''.padEnd(width)}              ${item.note}`);
  }
  lines.push(`  ${'Total'.padEnd(width)}  ${usd(estimate.monthlyTotalUsd).padStart(9)}`, '', 'Assumptions:');
  for (const a of estimate.assumptions) lines.push(`  - ${a}`);
  if (estimate.items.some((i) => !i.verified)) lines.push('  * an estimated rate (not read in its source): check it with --live');
  return lines.join('\n');
}

export function formatComparison(alternatives: Alternative[], estimate: Pick<CostEstimate, 'month' | 'priceDate' | 'freeTier'>): string {
  const label = Math.max(...alternatives.map((a) => a.label.length));
  const lines = [
    `The same Atlantis, each way (per month, ${estimate.month.hours} h, prices as of ${estimate.priceDate}${estimate.freeTier ? ', free tiers applied' : ', no free tier'}):`,
    '',
    `  ${'option'.padEnd(label)}  ${'today'.padStart(9)}  ${'2022'.padStart(9)}  survives a restart`,
  ];
  for (const a of alternatives) {
    const old = a.monthly2022Usd === undefined ? '—' : usd(a.monthly2022Usd);
    lines.push(`  ${a.label.padEnd(label)}  ${usd(a.monthlyTotalUsd).padStart(9)}  ${old.padStart(9)}  ${a.survives}`);
    if (a.note) lines.push(`  ${''.padEnd(label)}  ${''.padStart(9)}  ${''.padStart(9)}  (${a.note})`);
  }
  lines.push(
    '',
    'The write-up behind this tool priced three of these by hand in 2022, for 1 vCPU / 512 MiB: Cloud Run $44 and',
    '+ Filestore $260 (a 30-day month: --month 30d), GKE Autopilot $73 (730 h) — this table computes them for that shape.',
  );
  return lines.join('\n');
}
