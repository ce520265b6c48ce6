// `atlantis-run cost`: the monthly estimate of the configuration, itemised, with its assumptions and
// the date of its prices — from the bundled price table, or `--live` from the Cloud Billing Catalog;
// `--compare` puts the persistence alternatives side by side. The same model prices `plan` and `init`.
import { UsageError } from '../../errors.js';
import { compareAlternatives, shapeOf } from '../../cost/compare.js';
import { formatComparison, formatEstimate } from '../../cost/format.js';
import { costInputOf, estimateCost, type MonthAssumption } from '../../cost/model.js';
import { CURRENT_PRICES, type PriceTable } from '../../cost/prices.js';
import { desiredState } from '../../desired/index.js';
import { livePrices } from '../../deployment/live-prices.js';
import { withSpan } from '../../engine/events.js';
import type { Handler } from '../command.js';
import type { costOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { openGcp } from '../session.js';

export function parseMonth(raw: string | undefined): MonthAssumption {
  const text = (raw ?? '730h').trim().toLowerCase();
  if (text === '730h' || text === '730') return '730h';
  if (text === '30d' || text === '720h' || text === '720') return '30d';
  throw new UsageError(`--month: expected 730h (Google's convention) or 30d (a 30-day month), got "${raw}"`);
}

export const handler: Handler<typeof costOptions> = async (ctx, input) => {
  const o = input.options;
  const month = parseMonth(o.month);
  const config = await ctx.config();
  let table: PriceTable = CURRENT_PRICES;
  let priceSource: string | undefined;
  let live: { found: string[]; missing: string[] } | undefined;
  if (o.live) {
    const gcp = await openGcp(ctx);
    const today = new Date().toISOString().slice(0, 10);
    const read = await withSpan(ctx.host.emit, { phase: 'prices', title: 'Reading prices from the Cloud Billing Catalog' }, () =>
      livePrices(gcp, config.region, today),
    );
    table = read.table;
    live = { found: read.found, missing: read.missing };
    priceSource = `Cloud Billing Catalog API, read ${today}${read.missing.length ? `; bundled table for ${read.missing.join(', ')}` : ''}`;
    if (read.missing.length)
      ctx.host.emit({ type: 'warning', message: `the catalog gave no price for ${read.missing.join(', ')}: the bundled figures are used` });
  }
  const secrets = desiredState(config).secrets;
  const input0 = costInputOf({ ...config, secretCount: secrets.length });
  const options = { table, month, freeTier: o.freeTier, ...(priceSource ? { priceSource } : {}) };
  const estimate = estimateCost(input0, options);
  const persistence = desiredState(config).persistence.settings;
  const compare = o.compare
    ? compareAlternatives(
        shapeOf(input0, persistence.dataDir.kind === 'filestore', secrets.filter((s) => s.name.startsWith('redis-')).length),
        options,
      )
    : undefined;
  if (ctx.globals.json) {
    emitResult(ctx, 'cost', { service: config.service, ...estimate, ...(live ? { live } : {}), ...(compare ? { compare } : {}) });
    return 0;
  }
  ctx.host.print(formatEstimate(estimate, `Monthly estimate for ${config.service} (${config.project}, ${config.region})`));
  if (compare) ctx.host.print(`\n${formatComparison(compare, estimate)}`);
  return 0;
};
