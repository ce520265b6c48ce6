// The cost model against published figures: the write-up behind this tool priced Atlantis on Cloud
// Run at $44 a month (1 vCPU / 512 MiB, always on, a 30-day month, free tier), $260 with Filestore
// Basic HDD 1 TiB at 2022's price and a two-VM VPC connector, and a GKE Autopilot cluster's fee at
// $73 — reproduced here from those inputs, then today's figures from today's prices (Basic HDD at
// $0.16/GiB-month, Direct VPC egress instead of a connector). No emulator, no Google.
import { describe, expect, it } from 'vitest';
import { compareAlternatives } from '../../src/cost/compare.js';
import { skuPrice, pricesFromCatalog, type CatalogSku } from '../../src/cost/live.js';
import { costInputOf, estimateCost, resourceMonthly, type CostInput } from '../../src/cost/model.js';
import { CURRENT_PRICES, PRICES_2022 } from '../../src/cost/prices.js';
import { configOf } from '../support/phase-context.js';
import { MINIMAL_CONFIG } from '../support/fixtures.js';

/** The write-up's Atlantis: 1 vCPU, 512 MiB, nothing else but what Cloud Run needs. */
const WRITE_UP: CostInput = {
  region: 'us-central1',
  cpu: 1,
  memoryGiB: 0.5,
  plans: 'memory',
  redis: { kind: 'none' },
  filestore: undefined,
  secrets: 3,
  cachedImage: true,
};

const byId = (items: { id: string; monthlyUsd: number }[], id: string) => items.find((i) => i.id === id)?.monthlyUsd;

describe('the cost model against the write-up (2022)', () => {
  it('reproduces $44: 1 vCPU / 512 MiB always on, a 30-day month, the free tier applied', () => {
    const estimate = estimateCost(WRITE_UP, { month: '30d', table: PRICES_2022 });
    // 2,592,000 s × ($0.000018 + 0.5 × $0.000002) − $5.22 = $44.03
    expect(estimate.monthlyTotalUsd).toBe(44.03);
    expect(byId(estimate.items, 'cloud-run-free-tier')).toBe(-5.22);
    expect(estimate.month).toEqual({ assumption: '30d', hours: 720 });
    expect(estimate.assumptions[0]).toMatch(/30 days \(720 hours/);
  });

  it('reproduces about $260 with Filestore Basic HDD 1 TiB at 2022 prices and a two-VM connector', () => {
    const estimate = estimateCost({ ...WRITE_UP, filestore: { capacityGb: 1024 }, connector: true }, { month: '30d', table: PRICES_2022 });
    expect(byId(estimate.items, 'filestore')).toBe(202.01); // $0.000274/GiB-h × 720 h × 1024 GiB
    expect(byId(estimate.items, 'vpc-connector')).toBe(12.1); // 2 × e2-micro × 720 h
    expect(estimate.monthlyTotalUsd).toBe(258.14);
    expect(Math.abs(estimate.monthlyTotalUsd - 260)).toBeLessThan(5);
  });

  it("reproduces $73 for a GKE Autopilot cluster fee (730 h), and shows it covered by GKE's free tier today", () => {
    const [, , , , autopilot] = compareAlternatives({ region: 'us-central1', cpu: 1, memoryGiB: 0.5, secrets: 3, cachedImage: true });
    expect(autopilot).toMatchObject({ id: 'gke-autopilot', monthly2022Usd: 73, monthlyTotalUsd: 0 });
    const noFree = compareAlternatives(
      { region: 'us-central1', cpu: 1, memoryGiB: 0.5, secrets: 3, cachedImage: true },
      { freeTier: false },
    );
    expect(noFree[4].monthlyTotalUsd).toBe(73);
  });
});

describe("the cost model at today's prices", () => {
  it('prices the same Atlantis at $44.71 (730 h), and with Filestore but no connector at $208.55', () => {
    expect(estimateCost(WRITE_UP).monthlyTotalUsd).toBe(44.71);
    const filestore = estimateCost({ ...WRITE_UP, filestore: { capacityGb: 1024 } });
    expect(byId(filestore.items, 'filestore')).toBe(163.84);
    expect(byId(filestore.items, 'vpc-connector')).toBeUndefined();
    expect(filestore.monthlyTotalUsd).toBe(208.55);
  });

  it('prices the default 1 vCPU / 2 GiB at $52.60 after the free tier, $57.82 without it', () => {
    const input = { ...WRITE_UP, memoryGiB: 2 };
    expect(estimateCost(input).monthlyTotalUsd).toBe(52.6);
    const noFree = estimateCost(input, { freeTier: false });
    expect(byId(noFree.items, 'cloud-run-free-tier')).toBeUndefined();
    expect(byId(noFree.items, 'secret-manager')).toBe(0.36); // 3 secrets × 2 versions, none free
    expect(noFree.assumptions.join('\n')).toMatch(/no free tier/);
  });

  it('prices Memorystore Basic 1 GiB at $35.77, Standard as an estimate, and Filestore by capacity', () => {
    expect(resourceMonthly('memorystore', { region: 'us-central1', redis: { kind: 'memorystore', tier: 'BASIC', sizeGb: 1 } })).toBe(35.77);
    const standard = estimateCost({ ...WRITE_UP, redis: { kind: 'memorystore', tier: 'STANDARD_HA', sizeGb: 1 } }).items.find(
      (i) => i.id === 'memorystore',
    )!;
    expect(standard).toMatchObject({ monthlyUsd: 71.54, verified: false });
    expect(resourceMonthly('filestore', { region: 'us-central1', filestore: { capacityGb: 2048 } })).toBe(327.68);
    expect(resourceMonthly('plans-bucket', { region: 'us-central1', plans: 'gcs' })).toBeLessThan(1);
  });

  it("uses a Tier 2 region's rates, says they are estimates, and prices the free tier at Tier 1", () => {
    const estimate = estimateCost({ ...WRITE_UP, region: 'southamerica-east1', memoryGiB: 2 });
    const cpu = estimate.items.find((i) => i.id === 'cloud-run-cpu')!;
    expect(cpu).toMatchObject({ monthlyUsd: 66.23, verified: false });
    expect(cpu.rate).toContain('Tier 2');
    expect(byId(estimate.items, 'cloud-run-free-tier')).toBe(-5.22);
  });

  it('reads what a configuration runs: the data-dir owner sidecar of Filestore counts', async () => {
    const config = await configOf(`${MINIMAL_CONFIG}persistence: {dataDir: filestore, locks: redis, plans: gcs}\n`);
    const input = costInputOf({ ...config, secretCount: 4 });
    expect(input).toMatchObject({ cpu: 1.08, memoryGiB: 2.5, plans: 'gcs', filestore: { capacityGb: 1024 } });
    expect(input.redis).toEqual({ kind: 'memorystore', tier: 'BASIC', sizeGb: 1 });
  });

  it('compares the alternatives for the same Atlantis', () => {
    const rows = compareAlternatives({ region: 'us-central1', cpu: 1, memoryGiB: 2, secrets: 3, cachedImage: true });
    expect(rows.map((r) => [r.id, r.monthlyTotalUsd])).toEqual([
      ['memory', 52.6],
      ['gcs', 52.69],
      ['gcs-redis', 88.58],
      ['filestore-redis', 258.74],
      ['gke-autopilot', 0],
    ]);
    expect(rows[0].survives).toBe('nothing');
    expect(rows[3].survives).toMatch(/whole data dir/);
  });
});

describe('live prices from the Cloud Billing Catalog', () => {
  const sku = (
    description: string,
    regions: string[],
    usageUnit: string,
    price: number,
    extra: Record<string, unknown> = {},
  ): CatalogSku => ({
    description,
    serviceRegions: regions,
    pricingInfo: [
      {
        pricingExpression: {
          usageUnit,
          tieredRates: [{ startUsageAmount: 0, unitPrice: { units: String(Math.trunc(price)), nanos: Math.round((price % 1) * 1e9) } }],
          ...extra,
        },
      },
    ],
  });

  it('reads the last tier in the usage unit, converts through the base unit, and takes a first free tier', () => {
    expect(skuPrice(sku('x', [], 's', 0.000024), 's')).toEqual({ usd: 0.000024, freeUnits: 0 });
    // A price per hour, asked per second: through baseUnit s and the conversion factor 3600.
    const hourly = sku('x', [], 'h', 0.036, { baseUnit: 's', baseUnitConversionFactor: 3600 });
    expect(skuPrice(hourly, 's')!.usd).toBeCloseTo(0.00001, 12);
    const tiered: CatalogSku = {
      pricingInfo: [
        {
          pricingExpression: {
            usageUnit: 'mo',
            tieredRates: [
              { startUsageAmount: 0, unitPrice: {} },
              { startUsageAmount: 6, unitPrice: { nanos: 60_000_000 } },
            ],
          },
        },
      ],
    };
    expect(skuPrice(tiered, 'mo')).toEqual({ usd: 0.06, freeUnits: 6 });
    expect(skuPrice(sku('x', [], 'GiBy.mo', 1), 's')).toBeUndefined();
  });

  it('finds the region instance-based SKUs (the catalog typo "in in" too) and keeps bundled figures it lacks', () => {
    const live = pricesFromCatalog(
      CURRENT_PRICES,
      'asia-northeast1',
      {
        cloudRun: [
          sku('Services CPU (Instance-based billing) in in asia-northeast1', ['asia-northeast1'], 's', 0.0000181),
          sku('Services Memory (Instance-based billing) in asia-northeast1', ['asia-northeast1'], 'GiBy.s', 0.0000021),
          sku('Services CPU (Instance-based billing) in us-central1', ['us-central1'], 's', 0.5),
        ],
        memorystore: [sku('Redis Capacity Basic M1 Tokyo', ['asia-northeast1'], 'GiBy.h', 0.064)],
      },
      '2026-12-01',
    );
    expect(live.found).toEqual(['Cloud Run CPU', 'Cloud Run memory', 'Memorystore Basic']);
    expect(live.missing).toContain('Filestore Basic HDD');
    const estimate = estimateCost(
      { ...WRITE_UP, region: 'asia-northeast1', redis: { kind: 'memorystore', tier: 'BASIC', sizeGb: 1 } },
      { table: live.table },
    );
    expect(byId(estimate.items, 'cloud-run-cpu')).toBe(47.57); // 0.0000181 × 2,628,000
    expect(byId(estimate.items, 'memorystore')).toBe(46.72); // 0.064 × 730
    expect(estimate.priceDate).toBe('2026-12-01');
  });
});

describe('image builds', () => {
  const BUILD = `${MINIMAL_CONFIG}image: {strategy: build, tools: {tflint: 0.64.0}, keep: 5}\n`;

  it('prices Cloud Build minutes past the free ones and the built images in Artifact Registry', async () => {
    const input = costInputOf({ ...(await configOf(BUILD)), secretCount: 2 });
    expect(input.build).toEqual({ cloud: true, keep: 5 });
    const free = estimateCost(input);
    const item = (id: string) => free.items.find((i) => i.id === id)!;
    expect(item('cloud-build').quantity).toBe('≈ 20 minutes (4 builds × 5 min, an estimate)');
    expect(item('cloud-build').monthlyUsd).toBe(0); // inside the 2,500 free build-minutes
    // The cached Atlantis, the built Atlantis layers once, a tools layer per kept image: 0.3 + 0.3 + 5 × 0.1 GB.
    expect(item('artifact-registry').quantity).toMatch(/^≈ 1\.1 GB, 0\.5 GB free$/);
    expect(item('artifact-registry').monthlyUsd).toBeCloseTo(0.06, 6);
    expect(free.assumptions.at(-1)).toMatch(/^image builds: about 4 a month of 5 minutes each/);
    const billed = estimateCost(input, { freeTier: false });
    expect(billed.items.find((i) => i.id === 'cloud-build')!.monthlyUsd).toBeCloseTo(0.12, 6); // 20 × $0.006
    expect(billed.items.find((i) => i.id === 'artifact-registry')!.monthlyUsd).toBeCloseTo(0.11, 6);
  });

  it('a local builder uses no Cloud Build minutes; an upstream image builds nothing', async () => {
    const local = estimateCost(costInputOf({ ...(await configOf(BUILD.replace('keep: 5', 'keep: 5, builder: local'))), secretCount: 2 }));
    expect(local.items.find((i) => i.id === 'cloud-build')).toMatchObject({
      quantity: '0 minutes (images are built on this machine: image.builder local)',
      monthlyUsd: 0,
    });
    const upstream = estimateCost(costInputOf({ ...(await configOf()), secretCount: 2 }));
    expect(upstream.items.find((i) => i.id === 'cloud-build')!.quantity).toBe('0 minutes (this configuration builds no image)');
    expect(upstream.items.find((i) => i.id === 'artifact-registry')!.quantity).toMatch(/^≈ 0\.3 GB/);
  });
});
