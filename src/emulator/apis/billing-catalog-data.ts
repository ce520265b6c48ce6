// The prices and ids the emulated Cloud Billing Catalog serves, each with where it comes from and
// when. `verified: true` = the number (or id) was read in the source named; `false` = an
// assumption, marked so (README "Cloud Billing Catalog v1" lists them). Ids marked `emulator`
// are made up (stable hashes in Google's XXXX-XXXX-XXXX form): look services up by displayName.
import { createHash } from 'node:crypto';
import { CLOUD_RUN_REGIONS } from '../../config/regions.js';

export type UnitKey = 's' | 'GiBy.s' | 'GiBy.h' | 'GiBy.mo' | 'count' | 'min' | 'mo';

/** pricingExpression unit fields as Google's real SKUs spell them (units seen in recorded SKUs; `mo` alone is an assumption). */
export const UNITS: Readonly<
  Record<UnitKey, { usageUnitDescription: string; baseUnit: string; baseUnitDescription: string; baseUnitConversionFactor: number }>
> = {
  s: { usageUnitDescription: 'second', baseUnit: 's', baseUnitDescription: 'second', baseUnitConversionFactor: 1 },
  'GiBy.s': {
    usageUnitDescription: 'gibibyte second',
    baseUnit: 'By.s',
    baseUnitDescription: 'byte second',
    baseUnitConversionFactor: 1073741824,
  },
  'GiBy.h': {
    usageUnitDescription: 'gibibyte hour',
    baseUnit: 'By.s',
    baseUnitDescription: 'byte second',
    baseUnitConversionFactor: 3865470566400,
  },
  'GiBy.mo': {
    usageUnitDescription: 'gibibyte month',
    baseUnit: 'By.s',
    baseUnitDescription: 'byte second',
    baseUnitConversionFactor: 2783138807808000,
  },
  count: { usageUnitDescription: 'count', baseUnit: 'count', baseUnitDescription: 'count', baseUnitConversionFactor: 1 },
  min: { usageUnitDescription: 'minute', baseUnit: 's', baseUnitDescription: 'second', baseUnitConversionFactor: 60 },
  mo: { usageUnitDescription: 'month', baseUnit: 's', baseUnitDescription: 'second', baseUnitConversionFactor: 2592000 },
};

export interface Source {
  /** Where the figure was read. */
  url: string;
  /** When the source says the figure held (or when it was read). */
  date: string;
  verified: boolean;
}

export interface SkuSpec {
  skuId: string;
  idSource: 'recorded' | 'emulator';
  description: string;
  resourceFamily: string;
  resourceGroup: string;
  regions: string[];
  geo: 'REGIONAL' | 'MULTI_REGIONAL' | 'GLOBAL';
  unit: UnitKey;
  /** [startUsageAmount, USD unit price as a decimal string]. */
  tiers: Array<[number, string]>;
  effectiveTime: string;
  source: Source;
}

export interface ServiceSpec {
  serviceId: string;
  displayName: string;
  idSource: 'recorded' | 'emulator';
  skus: SkuSpec[];
}

/** A made-up id in Google's form, stable per text (for services and SKUs whose real id was not found). */
export function emulatorId(text: string): string {
  const hex = createHash('sha256').update(`billing-catalog:${text}`).digest('hex').toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

// ---------------------------------------------------------------------------------------------
// Sources

const RUN_PRICING: Source = { url: 'https://cloud.google.com/run/pricing', date: '2026-08-22', verified: true };
/** Region → tier of Cloud Run: firebase-tools' V2_REGION_TO_TIER (src/deploy/functions/pricing.ts). */
const FIREBASE_TIERS = 'https://github.com/firebase/firebase-tools/blob/master/src/deploy/functions/pricing.ts';
/** Catalog slices with real ids and rates, in a public project's test data (effectiveTime 2026-08-01). */
const TOGEN = 'https://github.com/mooncitizen/togen/blob/main/internal/cost/cmd/testdata';
/** A public project's note: australia-southeast1 rates "confirmed via Cloud Billing Catalog API (service 152E-C115-5142) on 2026-07-06". */
const AU_NOTE: Source = {
  url: 'public Apps Script cost report (code search; "Wilderness Pipeline — Cloud Run cost summary")',
  date: '2026-07-06',
  verified: true,
};
/** Infracost pricing-API products mirrored in a public project's tests ("live Infracost API returned on 2026-09-24"). */
const INFRACOST_MIRROR =
  'public test fixture of Infracost Cloud Pricing API products (code search: "Infracost descriptors for the Azure and GCP handlers")';

// ---------------------------------------------------------------------------------------------
// Cloud Run (152E-C115-5142): instance-based SKUs per region, request-based ones per tier

export const CLOUD_RUN_SERVICE_ID = '152E-C115-5142';

/** Tier 1 regions: firebase-tools' map, plus africa-south1 (Infracost mirror: "africa-south1 is a Tier 1 region"). */
export const CLOUD_RUN_TIER1 = new Set([
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

/** Per-region instance-based prices that differ from the tier rule, with their sources. */
const INSTANCE_PRICES: Record<string, { cpu: string; memory: string; cpuSource: Source; memorySource: Source; cpuSkuId?: string }> = {
  'europe-west2': {
    cpu: '0.0000252',
    memory: '0.0000028',
    cpuSource: { url: `${TOGEN}/gcp-cloud-run.json`, date: '2026-08-01', verified: true },
    memorySource: { url: 'Tier 2 ≈ 1.4 × Tier 1, by analogy with request-based rates', date: '2026-08-22', verified: false },
    cpuSkuId: '3DFE-FD5E-A6D0',
  },
  'australia-southeast1': { cpu: '0.0000216', memory: '0.0000024', cpuSource: AU_NOTE, memorySource: AU_NOTE },
};

const TIER2_GUESS: Source = {
  url: 'Tier 2 ≈ 1.4 × Tier 1, by analogy with request-based rates (research brief, not read in a catalog)',
  date: '2026-08-22',
  verified: false,
};

function tier1Source(region: string): Source {
  return { ...RUN_PRICING, url: `${RUN_PRICING.url} (Tier 1; ${region} is Tier 1 per ${FIREBASE_TIERS})` };
}

function instanceSku(region: string, kind: 'CPU' | 'Memory'): SkuSpec {
  const special = INSTANCE_PRICES[region];
  const tier1 = CLOUD_RUN_TIER1.has(region);
  const price = special
    ? kind === 'CPU'
      ? special.cpu
      : special.memory
    : kind === 'CPU'
      ? tier1
        ? '0.000018'
        : '0.0000252'
      : tier1
        ? '0.000002'
        : '0.0000028';
  const source = special ? (kind === 'CPU' ? special.cpuSource : special.memorySource) : tier1 ? tier1Source(region) : TIER2_GUESS;
  // The catalog's own typo for one region (seen in a 2026-04-23 catalog snapshot listing).
  const where = kind === 'CPU' && region === 'asia-northeast1' ? 'in in asia-northeast1' : `in ${region}`;
  const description = `Services ${kind} (Instance-based billing) ${where}`;
  const recordedId = kind === 'CPU' ? special?.cpuSkuId : undefined;
  return {
    skuId: recordedId ?? emulatorId(`${CLOUD_RUN_SERVICE_ID}/${description}`),
    idSource: recordedId ? 'recorded' : 'emulator',
    description,
    resourceFamily: 'ApplicationServices',
    resourceGroup: 'Compute',
    regions: [region],
    geo: 'REGIONAL',
    unit: kind === 'CPU' ? 's' : 'GiBy.s',
    tiers: [[0, price]],
    effectiveTime: '2026-08-01T00:00:00Z',
    source,
  };
}

const TIER1_REGIONS = CLOUD_RUN_REGIONS.filter((region) => CLOUD_RUN_TIER1.has(region));
const TIER2_REGIONS = CLOUD_RUN_REGIONS.filter((region) => !CLOUD_RUN_TIER1.has(region));

function requestSku(skuId: string, description: string, tier: 1 | 2, unit: UnitKey, tiers: Array<[number, string]>): SkuSpec {
  return {
    skuId,
    idSource: 'recorded',
    description,
    resourceFamily: 'ApplicationServices',
    resourceGroup: 'Compute',
    regions: tier === 1 ? TIER1_REGIONS : TIER2_REGIONS,
    geo: 'MULTI_REGIONAL',
    unit,
    tiers,
    effectiveTime: '2026-08-01T00:00:00Z',
    source: { url: `${TOGEN}/gcp-cloud-run.json (ids, tiers); ${RUN_PRICING.url} (rates)`, date: '2026-08-01', verified: true },
  };
}

const CLOUD_RUN_SKUS: SkuSpec[] = [
  ...CLOUD_RUN_REGIONS.flatMap((region) => [instanceSku(region, 'CPU'), instanceSku(region, 'Memory')]),
  requestSku('4856-B847-F1EB', 'Services CPU (Request-based billing)', 1, 's', [
    [0, '0'],
    [180000, '0.000024'],
  ]),
  // The double space is the catalog's own (2026-04-23 snapshot listing).
  requestSku('085C-A237-027A', 'Services CPU Tier 2  (Request-based billing)', 2, 's', [
    [0, '0'],
    [180000, '0.0000336'],
  ]),
  requestSku('02A2-9231-36A6', 'Services Memory (Request-based billing)', 1, 'GiBy.s', [
    [0, '0'],
    [360000, '0.0000025'],
  ]),
  requestSku('600C-3782-6708', 'Services Memory Tier 2 (Request-based billing)', 2, 'GiBy.s', [
    [0, '0'],
    [360000, '0.0000035'],
  ]),
  requestSku('7EBB-8579-2C98', 'Services Min Instance CPU (Request-based billing)', 1, 's', [[0, '0.0000025']]),
  requestSku('4350-71E4-3051', 'Services Min Instance CPU Tier 2 (Request-based billing)', 2, 's', [[0, '0.0000035']]),
  {
    ...requestSku('2DA5-55D3-E679', 'Requests', 1, 'count', [
      [0, '0'],
      [2000000, '0.0000004'],
    ]),
    regions: ['global'],
    geo: 'GLOBAL',
  },
];

// ---------------------------------------------------------------------------------------------
// What the cost command prices besides Cloud Run

function sku(
  service: string,
  fields: Omit<SkuSpec, 'skuId' | 'idSource' | 'effectiveTime' | 'geo'> & { skuId?: string; geo?: SkuSpec['geo']; effectiveTime?: string },
): SkuSpec {
  return {
    ...fields,
    skuId: fields.skuId ?? emulatorId(`${service}/${fields.description}`),
    idSource: fields.skuId ? 'recorded' : 'emulator',
    geo: fields.geo ?? (fields.regions[0] === 'global' ? 'GLOBAL' : 'REGIONAL'),
    effectiveTime: fields.effectiveTime ?? `${fields.source.date}T00:00:00Z`,
  };
}

const MEMORYSTORE = '5AF5-2C11-D467';
const MEMORYSTORE_PRICING: Source = { url: 'https://cloud.google.com/memorystore/docs/redis/pricing', date: '2026-08-22', verified: true };
const MEMORYSTORE_SKUS: SkuSpec[] = [
  sku(MEMORYSTORE, {
    description: 'Redis Capacity Basic M1 Iowa',
    resourceFamily: 'ApplicationServices',
    resourceGroup: 'RedisCapacity',
    regions: ['us-central1'],
    unit: 'GiBy.h',
    tiers: [[0, '0.049']],
    source: MEMORYSTORE_PRICING,
  }),
  ...(
    [
      ['7C15-0A2D-E4B9', 'Redis Capacity Basic M1 Belgium', 'europe-west1', '0.049'],
      ['8FF9-D19D-3185', 'Redis Capacity Basic M1 London', 'europe-west2', '0.0592'],
      ['2599-6A81-3CB1', 'Redis Capacity Standard M1 London', 'europe-west2', '0.0985'],
    ] as const
  ).map(([skuId, description, region, price]) =>
    sku(MEMORYSTORE, {
      skuId,
      description,
      resourceFamily: 'ApplicationServices',
      resourceGroup: 'RedisCapacity',
      regions: [region],
      unit: 'GiBy.h',
      tiers: [[0, price]],
      effectiveTime: '2026-08-01T00:00:00Z',
      source: { url: `${TOGEN}/gcp-cloud-memorystore-for-redis.json`, date: '2026-08-01', verified: true },
    }),
  ),
];

const STORAGE = '95FF-2EF5-5EA1';
const STORAGE_SKUS: SkuSpec[] = [
  sku(STORAGE, {
    description: 'Standard Storage US Regional',
    resourceFamily: 'Storage',
    resourceGroup: 'RegionalStorage',
    regions: ['us-central1'],
    unit: 'GiBy.mo',
    tiers: [
      [0, '0'],
      [5, '0.02'],
    ],
    source: {
      url: `${INFRACOST_MIRROR}; https://cloud.google.com/storage/pricing-examples ($0.020/GB-month)`,
      date: '2026-09-24',
      verified: true,
    },
  }),
  sku(STORAGE, {
    skuId: 'BB55-3E5A-405C',
    description: 'Standard Storage London',
    resourceFamily: 'Storage',
    resourceGroup: 'RegionalStorage',
    regions: ['europe-west2'],
    unit: 'GiBy.mo',
    tiers: [[0, '0.023']],
    source: { url: `${TOGEN} (price fixture)`, date: '2026-08-01', verified: true },
  }),
  sku(STORAGE, {
    skuId: '4DBF-185F-A415',
    description: 'Regional Standard Class A Operations',
    resourceFamily: 'Storage',
    resourceGroup: 'RegionalOps',
    regions: ['global'],
    unit: 'count',
    tiers: [
      [0, '0'],
      [5000, '0.000005'],
    ],
    source: { url: `${INFRACOST_MIRROR} (tiers); ${TOGEN} (id)`, date: '2026-09-24', verified: true },
  }),
  sku(STORAGE, {
    skuId: '7870-010B-2763',
    description: 'Regional Standard Class B Operations',
    resourceFamily: 'Storage',
    resourceGroup: 'RegionalOps',
    regions: ['global'],
    unit: 'count',
    tiers: [
      [0, '0'],
      [50000, '0.0000004'],
    ],
    source: { url: `${INFRACOST_MIRROR} (tiers); ${TOGEN} (id)`, date: '2026-09-24', verified: true },
  }),
];

const UNVERIFIED_SHAPE = (url: string, date: string): Source => ({
  url: `${url} (price); SKU description and unit not seen in a catalog`,
  date,
  verified: false,
});

const FILESTORE = emulatorId('Cloud Filestore');
const FILESTORE_SKUS: SkuSpec[] = [
  sku(FILESTORE, {
    description: 'Filestore Capacity Basic HDD Iowa',
    resourceFamily: 'Storage',
    resourceGroup: 'FilestoreCapacity',
    regions: ['us-central1'],
    unit: 'GiBy.mo',
    tiers: [[0, '0.16']],
    source: UNVERIFIED_SHAPE('https://cloud.google.com/filestore/pricing', '2026-08-22'),
  }),
];

const SECRET_MANAGER = emulatorId('Secret Manager');
const SECRET_MANAGER_SKUS: SkuSpec[] = [
  sku(SECRET_MANAGER, {
    description: 'Secret version replica storage',
    resourceFamily: 'ApplicationServices',
    resourceGroup: 'SecretManager',
    regions: ['global'],
    unit: 'mo',
    tiers: [
      [0, '0'],
      [6, '0.06'],
    ],
    source: UNVERIFIED_SHAPE('https://cloud.google.com/secret-manager/pricing', '2026-08-22'),
  }),
  sku(SECRET_MANAGER, {
    description: 'Secret access operations',
    resourceFamily: 'ApplicationServices',
    resourceGroup: 'SecretManager',
    regions: ['global'],
    unit: 'count',
    tiers: [
      [0, '0'],
      [10000, '0.000003'],
    ],
    source: UNVERIFIED_SHAPE('https://cloud.google.com/secret-manager/pricing', '2026-08-22'),
  }),
];

const ARTIFACT_REGISTRY = emulatorId('Artifact Registry');
const ARTIFACT_REGISTRY_SKUS: SkuSpec[] = [
  sku(ARTIFACT_REGISTRY, {
    description: 'Artifact Registry Storage',
    resourceFamily: 'Storage',
    resourceGroup: 'ArtifactRegistry',
    regions: ['global'],
    unit: 'GiBy.mo',
    tiers: [
      [0, '0'],
      [0.5, '0.1'],
    ],
    source: UNVERIFIED_SHAPE('https://cloud.google.com/artifact-registry/pricing', '2026-08-22'),
  }),
];

const CLOUD_BUILD = emulatorId('Cloud Build');
const CLOUD_BUILD_SKUS: SkuSpec[] = [
  sku(CLOUD_BUILD, {
    description: 'Build time (e2-standard-2)',
    resourceFamily: 'ApplicationServices',
    resourceGroup: 'CloudBuild',
    regions: ['global'],
    unit: 'min',
    tiers: [
      [0, '0'],
      [2500, '0.006'],
    ],
    source: UNVERIFIED_SHAPE('https://cloud.google.com/build/pricing', '2026-08-22'),
  }),
];

// ---------------------------------------------------------------------------------------------
// The services. Recorded ids: Cloud Run (Infracost), the rest from public code that calls the
// catalog (service-id maps in cost tools, e.g. code search "gcpServices = map[string]string").

function service(
  serviceId: string,
  displayName: string,
  skus: SkuSpec[] = [],
  idSource: ServiceSpec['idSource'] = 'recorded',
): ServiceSpec {
  return { serviceId, displayName, idSource, skus };
}

function unrecorded(displayName: string, skus: SkuSpec[] = []): ServiceSpec {
  return service(emulatorId(displayName), displayName, skus, 'emulator');
}

export const CATALOG: ServiceSpec[] = [
  service(CLOUD_RUN_SERVICE_ID, 'Cloud Run', CLOUD_RUN_SKUS),
  service(MEMORYSTORE, 'Cloud Memorystore for Redis', MEMORYSTORE_SKUS),
  service(STORAGE, 'Cloud Storage', STORAGE_SKUS),
  service('6F81-5844-456A', 'Compute Engine'),
  service('9662-B51E-5089', 'Cloud SQL'),
  service('29E7-DA93-CA13', 'Cloud Run Functions'),
  service('FA26-5236-B8B5', 'Cloud DNS'),
  service('E505-1604-58F8', 'Networking'),
  service('A1E8-BE35-7EBC', 'Cloud Pub/Sub'),
  service('CCD8-9BF1-090E', 'Kubernetes Engine'),
  service('F17B-412E-CB64', 'App Engine'),
  service('CC63-0873-48FD', 'Cloud Spanner'),
  service('C3BE-24A5-0975', 'Cloud Bigtable'),
  service('24E6-581D-38E5', 'BigQuery'),
  service(FILESTORE, 'Cloud Filestore', FILESTORE_SKUS, 'emulator'),
  service(SECRET_MANAGER, 'Secret Manager', SECRET_MANAGER_SKUS, 'emulator'),
  service(ARTIFACT_REGISTRY, 'Artifact Registry', ARTIFACT_REGISTRY_SKUS, 'emulator'),
  service(CLOUD_BUILD, 'Cloud Build', CLOUD_BUILD_SKUS, 'emulator'),
  unrecorded('Cloud Logging'),
  unrecorded('Cloud Monitoring'),
  unrecorded('Cloud Key Management Service (KMS)'),
  unrecorded('Cloud Scheduler'),
  unrecorded('Cloud Tasks'),
  unrecorded('Cloud Firestore'),
  unrecorded('Identity-Aware Proxy'),
  unrecorded('Cloud Load Balancing'),
  unrecorded('Vertex AI'),
  unrecorded('Dataflow'),
  unrecorded('Cloud Memorystore for Memcached'),
  unrecorded('Cloud Armor'),
];
