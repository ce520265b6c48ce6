// The bundled, dated price tables the cost model reads: USD list prices with the source of every
// figure, and whether it was read there (`verified`) or is an estimate. Two tables: today's, and
// 2022's (the write-up behind this tool priced its options then), so both sets of figures can be
// computed by the same model. `atlantis-run cost --live` replaces today's figures with the Cloud
// Billing Catalog's where it finds them.

export interface Price {
  usd: number;
  /** What one unit is: "vCPU-second", "GiB-hour"… */
  unit: string;
  source: string;
  /** False for an estimate (the README and `cost` say so). */
  verified: boolean;
}

export interface CloudRunRates {
  cpuSecond: Price;
  gibSecond: Price;
}

export interface PriceTable {
  id: 'current' | '2022';
  /** The date the figures held (or were read). */
  asOf: string;
  /** Where region-specific prices are for, when the table has one region only. */
  pricedRegion: string;
  cloudRun: {
    tier1: CloudRunRates;
    tier2: CloudRunRates;
    /** Regions whose instance-based prices differ from their tier's, with their sources. */
    regions: Record<string, CloudRunRates>;
    /** Instance-based free tier per billing account and month, priced at Tier 1 rates. */
    free: { cpuSeconds: number; gibSeconds: number; source: string };
  };
  memorystore: { basicGibHour: Price; standardGibHour: Price };
  filestore: { basicHddGibMonth: Price };
  storage: { standardGbMonth: Price; classAPer1000: Price; classBPer1000: Price };
  secretManager: { versionMonth: Price; freeVersions: number };
  artifactRegistry: { gbMonth: Price; freeGb: number };
  cloudBuild: { minute: Price; freeMinutes: number };
  /** A Serverless VPC Access connector: a managed group of at least two VMs. */
  connector: { vmHour: Price; vms: number };
  gkeAutopilot: { clusterHour: Price; freeUsdPerMonth: number };
}

const RUN = 'https://cloud.google.com/run/pricing';
const FIREBASE_TIERS = 'https://github.com/firebase/firebase-tools/blob/master/src/deploy/functions/pricing.ts';
const MEMORYSTORE = 'https://cloud.google.com/memorystore/docs/redis/pricing';
const FILESTORE = 'https://cloud.google.com/filestore/pricing';
const STORAGE = 'https://cloud.google.com/storage/pricing-examples';
const SECRETS = 'https://cloud.google.com/secret-manager/pricing';
const REGISTRY = 'https://cloud.google.com/artifact-registry/pricing';
const BUILD = 'https://cloud.google.com/build/pricing';
const GKE = 'https://cloud.google.com/kubernetes-engine/pricing';
const VMS = 'https://cloud.google.com/compute/vm-instance-pricing';

const price = (usd: number, unit: string, source: string, verified = true): Price => ({ usd, unit, source, verified });

/**
 * Cloud Run's Tier 1 regions (firebase-tools' region → tier map, plus africa-south1, which Infracost's
 * pricing data lists as Tier 1). Every other region is Tier 2.
 */
export const CLOUD_RUN_TIER1_REGIONS: ReadonlySet<string> = new Set([
  'asia-east1',
  'asia-northeast1',
  'asia-northeast2',
  'europe-north1',
  'europe-west1',
  'europe-west4',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-west1',
  'africa-south1',
]);

const TIER1: CloudRunRates = {
  cpuSecond: price(0.000018, 'vCPU-second', `${RUN} (instance-based, Tier 1)`),
  gibSecond: price(0.000002, 'GiB-second', `${RUN} (instance-based, Tier 1)`),
};

export const CURRENT_PRICES: PriceTable = {
  id: 'current',
  asOf: '2026-08-22',
  pricedRegion: 'us-central1',
  cloudRun: {
    tier1: TIER1,
    // Not on the pricing page as a table: ~1.4 × Tier 1, as the request-based Tier 2 rates are.
    tier2: {
      cpuSecond: price(0.0000252, 'vCPU-second', `${RUN} (Tier 2 ≈ 1.4 × Tier 1, like the request-based rates: an estimate)`, false),
      gibSecond: price(0.0000028, 'GiB-second', `${RUN} (Tier 2 ≈ 1.4 × Tier 1, like the request-based rates: an estimate)`, false),
    },
    regions: {
      'europe-west2': {
        cpuSecond: price(
          0.0000252,
          'vCPU-second',
          'Cloud Billing Catalog SKU 3DFE-FD5E-A6D0, effective 2026-08-01 (a public catalog slice)',
        ),
        gibSecond: price(0.0000028, 'GiB-second', `${RUN} (Tier 2 estimate)`, false),
      },
      'australia-southeast1': {
        cpuSecond: price(0.0000216, 'vCPU-second', 'Cloud Billing Catalog (152E-C115-5142), read 2026-07-06 (a public note)'),
        gibSecond: price(0.0000024, 'GiB-second', 'Cloud Billing Catalog (152E-C115-5142), read 2026-07-06 (a public note)'),
      },
    },
    free: { cpuSeconds: 240_000, gibSeconds: 450_000, source: `${RUN} (free tier, instance-based billing)` },
  },
  memorystore: {
    basicGibHour: price(0.049, 'GiB-hour', `${MEMORYSTORE} (Basic, M1 band: 1–4 GiB, us-central1)`),
    // The page's 16 GiB example: Standard costs twice Basic. Not read for the M1 band.
    standardGibHour: price(0.098, 'GiB-hour', `${MEMORYSTORE} (Standard ≈ 2 × Basic, from the page's 16 GiB example: an estimate)`, false),
  },
  filestore: { basicHddGibMonth: price(0.16, 'GiB-month', `${FILESTORE} (Basic HDD, us-central1)`) },
  storage: {
    standardGbMonth: price(0.02, 'GB-month', `${STORAGE} (Standard, us-central1)`),
    classAPer1000: price(0.005, '1,000 Class A operations', STORAGE),
    classBPer1000: price(0.0004, '1,000 Class B operations', STORAGE),
  },
  secretManager: { versionMonth: price(0.06, 'active version-month', SECRETS), freeVersions: 6 },
  artifactRegistry: { gbMonth: price(0.1, 'GB-month', REGISTRY), freeGb: 0.5 },
  cloudBuild: { minute: price(0.006, 'build-minute (e2-standard-2)', BUILD), freeMinutes: 2500 },
  connector: { vmHour: price(0.0084, 'e2-micro hour', `${VMS} (not re-read: an estimate)`, false), vms: 2 },
  gkeAutopilot: { clusterHour: price(0.1, 'cluster-hour', GKE), freeUsdPerMonth: 74.4 },
};

/** What the write-up paid in 2022: Cloud Run's rates were the same; Filestore Basic HDD cost more. */
export const PRICES_2022: PriceTable = {
  ...CURRENT_PRICES,
  id: '2022',
  asOf: '2022-06-01',
  filestore: {
    basicHddGibMonth: price(0.20002, 'GiB-month', `${FILESTORE}?hl=pl (archived 2022 page: $0.000274 per GiB-hour × 730 h)`),
  },
};

/** The Cloud Run rates of a region: its own when known, else its tier's. */
export function cloudRunRates(table: PriceTable, region: string): CloudRunRates & { tier: 1 | 2 } {
  const tier = CLOUD_RUN_TIER1_REGIONS.has(region) ? 1 : 2;
  return { ...(table.cloudRun.regions[region] ?? (tier === 1 ? table.cloudRun.tier1 : table.cloudRun.tier2)), tier };
}

/** Where the region → tier map comes from. */
export const TIER_MAP_SOURCE = FIREBASE_TIERS;
