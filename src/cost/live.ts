// Live prices: the Cloud Billing Catalog's SKUs turned into a price table. Pure — the caller fetches
// the SKUs (src/gcp/apis/billing-catalog.ts). A SKU's price is its last tier's unitPrice per
// `usageUnit`; when that unit is not the one the model prices in, it is converted through the base
// unit and `baseUnitConversionFactor`, as the catalog documents. What is not found keeps the
// bundled figure, and the result says which.
import { cloudRunRates, type CloudRunRates, type Price, type PriceTable } from './prices.js';

export interface CatalogSku {
  description?: string;
  serviceRegions?: string[];
  pricingInfo?: {
    effectiveTime?: string;
    pricingExpression?: {
      usageUnit?: string;
      baseUnit?: string;
      baseUnitConversionFactor?: number | string;
      tieredRates?: { startUsageAmount?: number; unitPrice?: { units?: string | number; nanos?: number } }[];
    };
  }[];
}

/** The catalog services the model prices, by the display name the catalog gives them. */
export const CATALOG_SERVICES = {
  cloudRun: 'Cloud Run',
  memorystore: 'Cloud Memorystore for Redis',
  filestore: 'Cloud Filestore',
  storage: 'Cloud Storage',
  secretManager: 'Secret Manager',
  artifactRegistry: 'Artifact Registry',
  cloudBuild: 'Cloud Build',
} as const;
export type CatalogService = keyof typeof CATALOG_SERVICES;
/** Cloud Run's service id (Infracost's Google resources use it). */
export const CLOUD_RUN_SERVICE_ID = '152E-C115-5142';

// The units the model prices in, as base units of the catalog (bytes × seconds for sizes over time).
const GIB = 1024 ** 3;
const UNITS: Record<string, { base: string; factor: number }> = {
  s: { base: 's', factor: 1 },
  'GiBy.s': { base: 'By.s', factor: GIB },
  'GiBy.h': { base: 'By.s', factor: GIB * 3600 },
  count: { base: 'count', factor: 1 },
  min: { base: 's', factor: 60 },
};

/** The price of one `unit` (a key of UNITS, or the SKU's own usage unit), and the SKU's free allowance. */
export function skuPrice(sku: CatalogSku, unit: string): { usd: number; freeUnits: number } | undefined {
  const info = sku.pricingInfo?.[0]?.pricingExpression;
  const tiers = info?.tieredRates ?? [];
  const last = tiers.at(-1);
  if (!info || !last?.unitPrice) return undefined;
  const perUsage = Number(last.unitPrice.units ?? 0) + (last.unitPrice.nanos ?? 0) / 1e9;
  // A first tier at price 0 is the free allowance (as request-based Cloud Run SKUs show).
  const freeUnits = tiers.length > 1 && isZero(tiers[0]?.unitPrice) ? Number(last.startUsageAmount ?? 0) : 0;
  if (info.usageUnit === unit) return { usd: perUsage, freeUnits };
  const wanted = UNITS[unit];
  const factor = Number(info.baseUnitConversionFactor);
  if (!wanted || info.baseUnit !== wanted.base || !Number.isFinite(factor) || factor <= 0) return undefined;
  return { usd: (perUsage / factor) * wanted.factor, freeUnits: (freeUnits * factor) / wanted.factor };
}

function isZero(p: { units?: string | number; nanos?: number } | undefined): boolean {
  return Number(p?.units ?? 0) === 0 && (p?.nanos ?? 0) === 0;
}

function find(skus: CatalogSku[] | undefined, pattern: RegExp, region?: string): CatalogSku | undefined {
  return (skus ?? []).find(
    (s) => pattern.test(s.description ?? '') && (!region || (s.serviceRegions ?? []).some((r) => r === region || r === 'global')),
  );
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface LivePrices {
  table: PriceTable;
  /** Figures read from the catalog, and those kept from the bundled table. */
  found: string[];
  missing: string[];
}

/** Today's table with every figure the catalog has for `region` replaced by the catalog's. */
export function pricesFromCatalog(
  base: PriceTable,
  region: string,
  skus: Partial<Record<CatalogService, CatalogSku[]>>,
  readOn: string,
): LivePrices {
  const found: string[] = [];
  const missing: string[] = [];
  const source = (sku: CatalogSku) => `Cloud Billing Catalog: "${sku.description}" (read ${readOn})`;
  const take = (what: string, sku: CatalogSku | undefined, unit: string, label: string, fallback: Price): Price => {
    const p = sku ? skuPrice(sku, unit) : undefined;
    if (!sku || !p) {
      missing.push(what);
      return fallback;
    }
    found.push(what);
    return { usd: p.usd, unit: label, source: source(sku), verified: true };
  };

  const r = escape(region);
  const bundledRun = cloudRunRates(base, region);
  // The catalog spells one region "in in asia-northeast1": accept a doubled "in".
  const cpu = find(skus.cloudRun, new RegExp(`^Services CPU \\(Instance-based billing\\) in (?:in )?${r}$`), region);
  const memory = find(skus.cloudRun, new RegExp(`^Services Memory \\(Instance-based billing\\) in (?:in )?${r}$`), region);
  const runRates: CloudRunRates = {
    cpuSecond: take('Cloud Run CPU', cpu, 's', 'vCPU-second', bundledRun.cpuSecond),
    gibSecond: take('Cloud Run memory', memory, 'GiBy.s', 'GiB-second', bundledRun.gibSecond),
  };
  const basic = take(
    'Memorystore Basic',
    find(skus.memorystore, /^Redis Capacity Basic M1\b/, region),
    'GiBy.h',
    'GiB-hour',
    base.memorystore.basicGibHour,
  );
  const standard = take(
    'Memorystore Standard',
    find(skus.memorystore, /^Redis Capacity Standard M1\b/, region),
    'GiBy.h',
    'GiB-hour',
    base.memorystore.standardGibHour,
  );
  const filestoreSku = find(skus.filestore, /^Filestore Capacity Basic HDD\b/, region);
  const filestore = take('Filestore Basic HDD', filestoreSku, 'GiBy.mo', 'GiB-month', base.filestore.basicHddGibMonth);
  const storage = take(
    'Cloud Storage Standard',
    find(skus.storage, /^Standard Storage\b/, region),
    'GiBy.mo',
    'GB-month',
    base.storage.standardGbMonth,
  );
  const secretSku = find(skus.secretManager, /^Secret version replica storage$/);
  const secrets = take('Secret Manager versions', secretSku, 'mo', 'active version-month', base.secretManager.versionMonth);
  const arSku = find(skus.artifactRegistry, /^Artifact Registry Storage$/);
  const ar = take('Artifact Registry storage', arSku, 'GiBy.mo', 'GB-month', base.artifactRegistry.gbMonth);
  const buildSku = find(skus.cloudBuild, /^Build time \(e2-standard-2\)$/);
  const build = take('Cloud Build minutes', buildSku, 'min', 'build-minute (e2-standard-2)', base.cloudBuild.minute);

  const table: PriceTable = {
    ...base,
    asOf: readOn,
    pricedRegion: region,
    cloudRun: { ...base.cloudRun, regions: { ...base.cloudRun.regions, [region]: runRates } },
    memorystore: { basicGibHour: basic, standardGibHour: standard },
    filestore: { basicHddGibMonth: filestore },
    storage: { ...base.storage, standardGbMonth: storage },
    secretManager: { versionMonth: secrets, freeVersions: freeOf(secretSku, 'mo') ?? base.secretManager.freeVersions },
    artifactRegistry: { gbMonth: ar, freeGb: freeOf(arSku, 'GiBy.mo') ?? base.artifactRegistry.freeGb },
    cloudBuild: { minute: build, freeMinutes: freeOf(buildSku, 'min') ?? base.cloudBuild.freeMinutes },
  };
  return { table, found, missing };
}

function freeOf(sku: CatalogSku | undefined, unit: string): number | undefined {
  const free = sku ? skuPrice(sku, unit)?.freeUnits : undefined;
  return free && free > 0 ? free : undefined;
}
