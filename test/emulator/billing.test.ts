// Cloud Billing Catalog v1 over REST, called as `cost --live` would: with an API key (`?key=`) or
// an OAuth token, paging through services and SKUs, reading Google's pricing expressions.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Request } from '../../src/emulator/core/api.js';
import { restCall } from './clients.js';

const KEY = 'AIzaSyA-emulator-test-key-0123456789abc';
const RUN = '152E-C115-5142';

/** Loosely typed JSON (the emulator's sanctioned `Request` alias). */
type Sku = Request;

async function get(emulator: RunningEmulator, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${emulator.port}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Request };
}

async function allSkus(emulator: RunningEmulator, serviceId: string, pageSize: number): Promise<Sku[]> {
  const skus: Sku[] = [];
  let pageToken = '';
  do {
    const answer = await get(
      emulator,
      `/v1/services/${serviceId}/skus?key=${KEY}&currencyCode=USD&pageSize=${pageSize}&pageToken=${pageToken}`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    skus.push(...(answer.body.skus as Sku[]));
    pageToken = answer.body.nextPageToken ?? '';
  } while (pageToken);
  return skus;
}

/** A Money as a number, as the API describes it: units + nanos / 1e9. */
function price(money: { units: string; nanos?: number }): number {
  return Number(money.units) + (money.nanos ?? 0) / 1e9;
}

describe('Cloud Billing Catalog', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  test('services are paged, each with name, serviceId, displayName and businessEntityName', async () => {
    const seen: Array<Record<string, string>> = [];
    let pageToken = '';
    let pages = 0;
    do {
      const answer = await get(emulator, `/v1/services?key=${KEY}&pageSize=10${pageToken ? `&pageToken=${pageToken}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.services.length).toBeLessThanOrEqual(10);
      seen.push(...answer.body.services);
      pageToken = answer.body.nextPageToken ?? '';
      pages += 1;
    } while (pageToken);
    expect(pages).toBeGreaterThanOrEqual(3);
    const everything = await get(emulator, `/v1/services?key=${KEY}`);
    expect(everything.body.nextPageToken).toBeUndefined();
    expect(everything.body.services).toEqual(seen);
    expect(seen.find((service) => service.displayName === 'Cloud Run')).toEqual({
      name: `services/${RUN}`,
      serviceId: RUN,
      displayName: 'Cloud Run',
      businessEntityName: 'businessEntities/GCP',
    });
    for (const name of [
      'Cloud Memorystore for Redis',
      'Cloud Storage',
      'Cloud Filestore',
      'Secret Manager',
      'Artifact Registry',
      'Cloud Build',
    ]) {
      expect(seen.some((service) => service.displayName === name)).toBe(true);
    }
  });

  test('Cloud Run’s instance-based SKUs are per region, in Google’s SKU shape', async () => {
    const skus = await allSkus(emulator, RUN, 5000);
    const cpu = skus.find((sku) => sku.description === 'Services CPU (Instance-based billing) in us-central1')!;
    expect(cpu).toEqual({
      name: `services/${RUN}/skus/${cpu.skuId}`,
      skuId: expect.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/),
      description: 'Services CPU (Instance-based billing) in us-central1',
      category: { serviceDisplayName: 'Cloud Run', resourceFamily: 'ApplicationServices', resourceGroup: 'Compute', usageType: 'OnDemand' },
      serviceRegions: ['us-central1'],
      pricingInfo: [
        {
          summary: '',
          pricingExpression: {
            usageUnit: 's',
            usageUnitDescription: 'second',
            baseUnit: 's',
            baseUnitDescription: 'second',
            baseUnitConversionFactor: 1,
            displayQuantity: 1,
            tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: '0', nanos: 18000 } }],
          },
          aggregationInfo: { aggregationLevel: 'ACCOUNT', aggregationInterval: 'MONTHLY', aggregationCount: 1 },
          currencyConversionRate: 1,
          effectiveTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        },
      ],
      serviceProviderName: 'Google',
      geoTaxonomy: { type: 'REGIONAL', regions: ['us-central1'] },
    });
    const memory = skus.find((sku) => sku.description === 'Services Memory (Instance-based billing) in us-central1')!;
    const expression = memory.pricingInfo[0].pricingExpression;
    expect(expression).toMatchObject({ usageUnit: 'GiBy.s', baseUnit: 'By.s', baseUnitConversionFactor: 1073741824 });
    expect(price(expression.tieredRates[0].unitPrice)).toBe(0.000002);
    // 1 vCPU / 2 GiB always on for 730 h at Tier 1: $57.82 (research brief §2.2).
    const monthly = 2_628_000 * (price(cpu.pricingInfo[0].pricingExpression.tieredRates[0].unitPrice) + 2 * 0.000002);
    expect(monthly.toFixed(2)).toBe('57.82');
    // A Tier 2 region costs more; the catalog's own typo survives for asia-northeast1.
    const london = skus.find((sku) => sku.description === 'Services CPU (Instance-based billing) in europe-west2')!;
    expect(london.skuId).toBe('3DFE-FD5E-A6D0');
    expect(price(london.pricingInfo[0].pricingExpression.tieredRates[0].unitPrice)).toBe(0.0000252);
    expect(skus.some((sku) => sku.description === 'Services CPU (Instance-based billing) in in asia-northeast1')).toBe(true);
    // Request-based SKUs carry the free tier as a first, zero-priced tier.
    const requestCpu = skus.find((sku) => sku.description === 'Services CPU (Request-based billing)')!;
    expect(requestCpu.pricingInfo[0].pricingExpression.tieredRates.map((rate: Sku) => rate.startUsageAmount)).toEqual([0, 180000]);
    expect(await allSkus(emulator, RUN, 7)).toEqual(skus);
  });

  test('what the cost command prices besides Cloud Run', async () => {
    const services = (await get(emulator, `/v1/services?key=${KEY}`)).body.services as Array<Record<string, string>>;
    const idOf = (name: string) => services.find((service) => service.displayName === name)!.serviceId;
    const find = async (service: string, description: string) =>
      (await allSkus(emulator, idOf(service), 5000)).find((sku) => sku.description === description)!.pricingInfo[0].pricingExpression;
    const redis = await find('Cloud Memorystore for Redis', 'Redis Capacity Basic M1 Iowa');
    expect(redis).toMatchObject({ usageUnit: 'GiBy.h', baseUnitConversionFactor: 3865470566400 });
    expect((price(redis.tieredRates[0].unitPrice) * 730).toFixed(2)).toBe('35.77');
    const filestore = await find('Cloud Filestore', 'Filestore Capacity Basic HDD Iowa');
    expect((price(filestore.tieredRates[0].unitPrice) * 1024).toFixed(2)).toBe('163.84');
    const storage = await find('Cloud Storage', 'Standard Storage US Regional');
    expect(storage.tieredRates.map((rate: Sku) => [rate.startUsageAmount, price(rate.unitPrice)])).toEqual([
      [0, 0],
      [5, 0.02],
    ]);
    const secrets = await find('Secret Manager', 'Secret version replica storage');
    expect(secrets.tieredRates.map((rate: Sku) => [rate.startUsageAmount, price(rate.unitPrice)])).toEqual([
      [0, 0],
      [6, 0.06],
    ]);
    const registry = await find('Artifact Registry', 'Artifact Registry Storage');
    expect(price(registry.tieredRates[1].unitPrice)).toBe(0.1);
    const build = await find('Cloud Build', 'Build time (e2-standard-2)');
    expect(build).toMatchObject({ usageUnit: 'min', baseUnit: 's', baseUnitConversionFactor: 60 });
    expect(price(build.tieredRates[1].unitPrice)).toBe(0.006);
  });

  test('an API key or an OAuth token identifies the caller; nothing does not', async () => {
    const anonymous = await get(emulator, '/v1/services');
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.error).toEqual({
      code: 403,
      message:
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      status: 'PERMISSION_DENIED',
    });
    const badKey = await get(emulator, '/v1/services?key=not-a-key');
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.message).toBe('API key not valid. Please pass a valid API key.');
    expect(badKey.body.error.details[0]).toMatchObject({ reason: 'API_KEY_INVALID', metadata: { service: 'cloudbilling.googleapis.com' } });
    const withToken = await restCall(emulator, 'GET', `/v1/services/${RUN}/skus?pageSize=1`);
    expect(withToken.status).toBe(200);
    expect(withToken.body.skus).toHaveLength(1);
  });

  test('the quota project must have the Cloud Billing API enabled', async () => {
    const project = 'billing-quota-project';
    const headers = { Authorization: 'Bearer emulator', 'x-goog-user-project': project };
    const disabled = await get(emulator, '/v1/services', headers);
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.details[0]).toMatchObject({
      reason: 'SERVICE_DISABLED',
      metadata: { service: 'cloudbilling.googleapis.com' },
    });
    emulator.setServiceEnabled(project, 'cloudbilling.googleapis.com');
    expect((await get(emulator, '/v1/services', headers)).status).toBe(200);
  });

  test('bad requests', async () => {
    const euro = await get(emulator, `/v1/services/${RUN}/skus?key=${KEY}&currencyCode=EUR`);
    expect(euro.status).toBe(400);
    const unknownService = await get(emulator, `/v1/services/0000-0000-0000/skus?key=${KEY}`);
    expect(unknownService.status).toBe(404);
    const unknownParameter = await get(emulator, `/v1/services?key=${KEY}&region=us-central1`);
    expect(unknownParameter.status).toBe(400);
    expect(unknownParameter.body.error.message).toMatch(/^Invalid JSON payload received\. Unknown name "region"/);
    const badSize = await get(emulator, `/v1/services?key=${KEY}&pageSize=many`);
    expect(badSize.status).toBe(400);
  });
});
