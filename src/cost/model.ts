// The cost model: a pure function from what a configuration runs (instance shape, region,
// persistence, secrets) and a dated price table to an itemised monthly estimate, with the
// assumptions it rests on. `plan`, `init` and `atlantis-run cost` all price through it, so they agree.
import { parseQuantity, GiB } from '../config/quantity.js';
import { DATA_OWNER_SIDECAR, persistenceSettings } from '../config/persistence.js';
import type { ParsedConfig } from '../config/schema.js';
import { cloudRunRates, CURRENT_PRICES, TIER_MAP_SOURCE, type Price, type PriceTable } from './prices.js';

/** A month of instance-based billing: 730 h (Google's and Infracost's convention) or 30 days (firebase-tools'). */
export type MonthAssumption = '730h' | '30d';
export const MONTH_HOURS: Record<MonthAssumption, number> = { '730h': 730, '30d': 720 };

/** What is priced: one Atlantis, always on. */
export interface CostInput {
  region: string;
  /** vCPU and GiB of the whole instance (every container). */
  cpu: number;
  memoryGiB: number;
  plans: 'memory' | 'gcs';
  redis: { kind: 'none' } | { kind: 'memorystore'; tier: 'BASIC' | 'STANDARD_HA'; sizeGb: number } | { kind: 'external'; host: string };
  filestore: { capacityGb: number } | undefined;
  /** Secrets in Secret Manager. */
  secrets: number;
  /** The image is cached in an Artifact Registry remote repository (upstream strategy, and the base of a build). */
  cachedImage: boolean;
  /** image.strategy build: on Cloud Build or on this machine, and how many built images are kept. */
  build?: { cloud: boolean; keep: number } | undefined;
  /** A Serverless VPC Access connector (how Filestore was reached in 2022; Direct VPC egress needs none). */
  connector?: boolean;
}

export interface CostOptions {
  table?: PriceTable;
  month?: MonthAssumption;
  /** Apply each free tier once (false: the billing account already uses it: --no-free-tier). */
  freeTier?: boolean;
  /** Enabled versions kept per secret (`--keep`, default 2). */
  versionsPerSecret?: number;
  /** Where the prices came from, when not the bundled table (`--live`). */
  priceSource?: string;
}

export interface CostItem {
  id: string;
  label: string;
  /** How much of what: "1 vCPU × 730 h". */
  quantity: string;
  /** The rate applied: "$0.000018 per vCPU-second". */
  rate: string;
  monthlyUsd: number;
  source: string;
  /** Whether the rate was read in its source (false: an estimate). */
  verified: boolean;
  note?: string;
}

export interface CostEstimate {
  currency: 'USD';
  monthlyTotalUsd: number;
  items: CostItem[];
  assumptions: string[];
  priceDate: string;
  priceSource: string;
  month: { assumption: MonthAssumption; hours: number };
  freeTier: boolean;
  region: string;
}

/** Assumed use of the plans bucket: plan files are small and written once per plan. */
export const PLANS_USAGE = { gb: 1, classA: 10_000, classB: 50_000 };
/** An Atlantis image cached by the remote repository (compressed layers of one version; an estimate). */
export const CACHED_IMAGE_GB = 0.3;
/**
 * Assumed image builds (estimates): a build runs only when the recipe, the context or the Atlantis
 * version changes; a built image is the Atlantis layers (stored once in the build repository) plus a
 * layer of tools per kept image.
 */
export const BUILD_USAGE = { buildsPerMonth: 4, minutesPerBuild: 5, toolsLayerGb: 0.1 };

const round2 = (usd: number) => Math.round(usd * 100) / 100;
const rate = (p: Price, digits = 6) => `$${p.usd.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '')} per ${p.unit}`;

/** What a configuration runs, for the model. */
export function costInputOf(
  config: Pick<ParsedConfig, 'persistence' | 'service' | 'resources' | 'atlantis' | 'access' | 'image'> & {
    project?: string | undefined;
    region?: string | undefined;
    secretCount: number;
  },
): CostInput {
  const s = persistenceSettings(config);
  const sidecar = s.dataDir.kind === 'filestore';
  return {
    region: config.region ?? 'us-central1',
    cpu: Number(config.resources.cpu) + (sidecar ? DATA_OWNER_SIDECAR.cpu : 0),
    memoryGiB: (parseQuantity(config.resources.memory)! + (sidecar ? parseQuantity(DATA_OWNER_SIDECAR.memory)! : 0)) / GiB,
    plans: s.plans.kind,
    redis:
      s.locks.kind === 'memorystore'
        ? { kind: 'memorystore', tier: s.locks.tier, sizeGb: s.locks.sizeGb }
        : s.locks.kind === 'external'
          ? { kind: 'external', host: s.locks.host }
          : { kind: 'none' },
    filestore: s.dataDir.kind === 'filestore' ? { capacityGb: s.dataDir.capacityGb } : undefined,
    secrets: config.secretCount,
    cachedImage: config.image.strategy !== 'reference',
    build: config.image.strategy === 'build' ? { cloud: config.image.builder === 'cloud-build', keep: config.image.keep } : undefined,
  };
}

export function estimateCost(input: CostInput, options: CostOptions = {}): CostEstimate {
  const table = options.table ?? CURRENT_PRICES;
  const month = options.month ?? '730h';
  const hours = MONTH_HOURS[month];
  const seconds = hours * 3600;
  const free = options.freeTier ?? true;
  const items: CostItem[] = [...cloudRunItems(input, table, seconds, hours, free), ...persistenceItems(input, table, hours)];
  items.push(...supportItems(input, table, free, options.versionsPerSecret ?? 2));
  if (input.connector) {
    const c = table.connector;
    items.push({
      id: 'vpc-connector',
      label: 'Serverless VPC Access connector',
      quantity: `${c.vms} VMs × ${hours} h`,
      rate: rate(c.vmHour, 4),
      monthlyUsd: c.vms * c.vmHour.usd * hours,
      source: c.vmHour.source,
      verified: c.vmHour.verified,
    });
  }
  const rounded = items.map((i) => ({ ...i, monthlyUsd: round2(i.monthlyUsd) }));
  return {
    currency: 'USD',
    monthlyTotalUsd: round2(items.reduce((sum, i) => sum + i.monthlyUsd, 0)),
    items: rounded,
    assumptions: assumptions(input, table, month, free, options),
    priceDate: table.asOf,
    priceSource: options.priceSource ?? `bundled price table (${table.id === '2022' ? '2022 prices' : `prices as of ${table.asOf}`})`,
    month: { assumption: month, hours },
    freeTier: free,
    region: input.region,
  };
}

function cloudRunItems(input: CostInput, table: PriceTable, seconds: number, hours: number, free: boolean): CostItem[] {
  const rates = cloudRunRates(table, input.region);
  const cpuSeconds = input.cpu * seconds;
  const gibSeconds = input.memoryGiB * seconds;
  const items: CostItem[] = [
    {
      id: 'cloud-run-cpu',
      label: 'Cloud Run CPU (instance-based billing, always allocated)',
      quantity: `${fmt(input.cpu)} vCPU × ${hours} h`,
      rate: `${rate(rates.cpuSecond, 7)} (Tier ${rates.tier})`,
      monthlyUsd: cpuSeconds * rates.cpuSecond.usd,
      source: rates.cpuSecond.source,
      verified: rates.cpuSecond.verified,
    },
    {
      id: 'cloud-run-memory',
      label: 'Cloud Run memory',
      quantity: `${fmt(input.memoryGiB)} GiB × ${hours} h`,
      rate: `${rate(rates.gibSecond, 7)} (Tier ${rates.tier})`,
      monthlyUsd: gibSeconds * rates.gibSecond.usd,
      source: rates.gibSecond.source,
      verified: rates.gibSecond.verified,
    },
  ];
  if (free) {
    // The free tier is priced at Tier 1 rates whatever the region (Cloud Run pricing page).
    const t1 = table.cloudRun.tier1;
    const f = table.cloudRun.free;
    const credit = Math.min(cpuSeconds, f.cpuSeconds) * t1.cpuSecond.usd + Math.min(gibSeconds, f.gibSeconds) * t1.gibSecond.usd;
    items.push({
      id: 'cloud-run-free-tier',
      label: 'Cloud Run free tier (once per billing account)',
      quantity: `${f.cpuSeconds.toLocaleString('en-US')} vCPU-s + ${f.gibSeconds.toLocaleString('en-US')} GiB-s`,
      rate: 'Tier 1 rates',
      monthlyUsd: -credit,
      source: f.source,
      verified: true,
      note: 'only if no other Cloud Run service of the billing account uses it (else --no-free-tier)',
    });
  }
  return items;
}

function persistenceItems(input: CostInput, table: PriceTable, hours: number): CostItem[] {
  const items: CostItem[] = [];
  if (input.plans === 'gcs') {
    const s = table.storage;
    const u = PLANS_USAGE;
    items.push({
      id: 'plans-bucket',
      label: 'Cloud Storage plans bucket (Standard)',
      quantity: `${u.gb} GB, ${u.classA.toLocaleString('en-US')} writes, ${u.classB.toLocaleString('en-US')} reads`,
      rate: `${rate(s.standardGbMonth, 3)}; ${rate(s.classAPer1000, 4)}; ${rate(s.classBPer1000, 4)}`,
      monthlyUsd: u.gb * s.standardGbMonth.usd + (u.classA / 1000) * s.classAPer1000.usd + (u.classB / 1000) * s.classBPer1000.usd,
      source: s.standardGbMonth.source,
      verified: true,
      note: 'an assumed use; plan files are small and deleted by the lifecycle rule',
    });
  }
  if (input.redis.kind === 'memorystore') {
    const basic = input.redis.tier === 'BASIC';
    const p = basic ? table.memorystore.basicGibHour : table.memorystore.standardGibHour;
    items.push({
      id: 'memorystore',
      label: `Memorystore for Redis (${basic ? 'Basic' : 'Standard'}, ${input.redis.sizeGb} GiB)`,
      quantity: `${input.redis.sizeGb} GiB × ${hours} h`,
      rate: rate(p, 4),
      monthlyUsd: input.redis.sizeGb * p.usd * hours,
      source: p.source,
      verified: p.verified && input.redis.sizeGb <= 4,
      ...(input.redis.sizeGb > 4 ? { note: 'priced at the 1–4 GiB band; larger instances cost less per GiB (--live)' } : {}),
    });
  } else if (input.redis.kind === 'external') {
    items.push({
      id: 'external-redis',
      label: `Redis at ${input.redis.host}`,
      quantity: '—',
      rate: 'billed by its provider',
      monthlyUsd: 0,
      source: 'not priced here',
      verified: true,
    });
  }
  if (input.filestore) {
    const p = table.filestore.basicHddGibMonth;
    // Filestore bills per GiB-hour; the page's monthly figure is that rate × 730 h.
    items.push({
      id: 'filestore',
      label: `Filestore Basic HDD (${input.filestore.capacityGb} GiB, the minimum is 1 TiB)`,
      quantity: `${input.filestore.capacityGb} GiB × ${hours} h`,
      rate: rate(p, 5),
      monthlyUsd: (input.filestore.capacityGb * p.usd * hours) / 730,
      source: p.source,
      verified: p.verified,
    });
  }
  if (input.redis.kind === 'memorystore' || input.filestore) {
    items.push({
      id: 'direct-vpc-egress',
      label: 'VPC network, subnet and Direct VPC egress',
      quantity: '—',
      rate: 'no charge beyond network egress',
      monthlyUsd: 0,
      source: 'https://cloud.google.com/run/docs/configuring/vpc-direct-vpc',
      verified: true,
    });
  }
  return items;
}

function supportItems(input: CostInput, table: PriceTable, free: boolean, perSecret: number): CostItem[] {
  const sm = table.secretManager;
  const versions = input.secrets * perSecret;
  const billedVersions = Math.max(0, versions - (free ? sm.freeVersions : 0));
  const ar = table.artifactRegistry;
  const builtGb = input.build ? CACHED_IMAGE_GB + BUILD_USAGE.toolsLayerGb * input.build.keep : 0;
  const gb = Math.round(((input.cachedImage ? CACHED_IMAGE_GB : 0) + builtGb) * 100) / 100;
  const cb = table.cloudBuild;
  const minutes = input.build?.cloud ? BUILD_USAGE.buildsPerMonth * BUILD_USAGE.minutesPerBuild : 0;
  return [
    {
      id: 'secret-manager',
      label: 'Secret Manager versions',
      quantity: `${input.secrets} secrets × up to ${perSecret} versions${free ? `, ${sm.freeVersions} free` : ''}`,
      rate: rate(sm.versionMonth, 2),
      monthlyUsd: billedVersions * sm.versionMonth.usd,
      source: sm.versionMonth.source,
      verified: true,
      note: 'disabled versions are billed too; destroyed ones are not',
    },
    {
      id: 'artifact-registry',
      label: input.build ? 'Artifact Registry storage (cached and built images)' : 'Artifact Registry storage (cached image)',
      quantity: `≈ ${gb} GB${free ? `, ${ar.freeGb} GB free` : ''}`,
      rate: rate(ar.gbMonth, 2),
      monthlyUsd: Math.max(0, gb - (free ? ar.freeGb : 0)) * ar.gbMonth.usd,
      source: ar.gbMonth.source,
      verified: true,
      note: input.build
        ? `one cached Atlantis version and up to ${input.build.keep} built images sharing its layers (an estimate)`
        : 'about one cached Atlantis version (an estimate)',
    },
    {
      id: 'cloud-build',
      label: 'Cloud Build minutes',
      quantity: input.build?.cloud
        ? `≈ ${minutes} minutes (${BUILD_USAGE.buildsPerMonth} builds × ${BUILD_USAGE.minutesPerBuild} min, an estimate)`
        : input.build
          ? '0 minutes (images are built on this machine: image.builder local)'
          : '0 minutes (this configuration builds no image)',
      rate: `${rate(cb.minute, 3)}${free ? `, ${cb.freeMinutes.toLocaleString('en-US')} min free` : ''}`,
      monthlyUsd: Math.max(0, minutes - (free ? cb.freeMinutes : 0)) * cb.minute.usd,
      source: cb.minute.source,
      verified: true,
    },
  ];
}

function assumptions(input: CostInput, table: PriceTable, month: MonthAssumption, free: boolean, options: CostOptions): string[] {
  const list = [
    month === '730h'
      ? "a month is 730 hours (2,628,000 s), the convention of Google's pricing pages (--month 30d: 720 h)"
      : 'a month is 30 days (720 hours, 2,592,000 s), as the write-up behind this tool priced it (--month 730h: 730 h)',
    'one instance always on, with instance-based billing (CPU always allocated)',
    `list prices in USD as of ${table.asOf} (${options.priceSource ?? 'bundled table'}); tax, network egress, logging and committed-use discounts (17–46%) excluded`,
    free
      ? 'free tiers applied once per billing account (Cloud Run, Secret Manager, Artifact Registry, Cloud Build); --no-free-tier when other workloads already use them'
      : 'no free tier (--no-free-tier: the billing account already uses it)',
    `Cloud Run at ${input.region}'s rates (Tier ${cloudRunRates(table, input.region).tier}; tiers from ${TIER_MAP_SOURCE})`,
  ];
  if (input.redis.kind === 'memorystore' || input.filestore || input.plans === 'gcs') {
    list.push(
      `Memorystore, Filestore and Cloud Storage at ${table.pricedRegion} list prices; other regions differ (atlantis-run cost --live reads them)`,
    );
  }
  if (input.build) {
    list.push(
      `image builds: about ${BUILD_USAGE.buildsPerMonth} a month${input.build.cloud ? ` of ${BUILD_USAGE.minutesPerBuild} minutes each on Cloud Build's default machine` : ' on this machine'} (a build runs only when the recipe, the context or the Atlantis version changes)`,
    );
  }
  return list;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

/** The monthly price of one resource kind alone, for `plan` and `init` (e.g. "$35.77/month"). */
export function monthlyOf(estimate: CostEstimate, id: string): number | undefined {
  return estimate.items.find((i) => i.id === id)?.monthlyUsd;
}

export function usd(amount: number): string {
  const sign = amount < 0 ? '−' : '';
  return `${sign}$${Math.abs(amount).toFixed(2)}`;
}

/**
 * The monthly list price of one persistence resource alone (730 h), for `plan` and `init` to show
 * next to it: `plans-bucket`, `memorystore` or `filestore`, as `input` describes it.
 */
export function resourceMonthly(
  id: 'plans-bucket' | 'memorystore' | 'filestore',
  input: Partial<Omit<CostInput, 'region'>> & { region: string },
  table: PriceTable = CURRENT_PRICES,
): number {
  const alone: CostInput = {
    cpu: 0,
    memoryGiB: 0,
    plans: 'memory',
    redis: { kind: 'none' },
    filestore: undefined,
    secrets: 0,
    cachedImage: false,
    ...input,
  };
  return monthlyOf(estimateCost(alone, { table, freeTier: false }), id) ?? 0;
}
