// `atlantis-run cost --live`: today's price table with every figure the Cloud Billing Catalog has
// for the region read from it — services found by display name (Cloud Run by its known id), their
// SKUs read in full (paged), turned into prices by the pure src/cost/live.ts.
import {
  CATALOG_SERVICES,
  CLOUD_RUN_SERVICE_ID,
  pricesFromCatalog,
  type CatalogService,
  type CatalogSku,
  type LivePrices,
} from '../cost/live.js';
import { CURRENT_PRICES } from '../cost/prices.js';
import { listCatalogServices, listCatalogSkus } from '../gcp/apis/billing-catalog.js';
import type { Gcp } from '../gcp/call.js';

export async function livePrices(gcp: Gcp, region: string, today: string): Promise<LivePrices> {
  const services = await listCatalogServices(gcp);
  const idOf = (name: CatalogService): string | undefined =>
    name === 'cloudRun' ? CLOUD_RUN_SERVICE_ID : services.find((s) => s.displayName === CATALOG_SERVICES[name])?.serviceId;
  const names = Object.keys(CATALOG_SERVICES) as CatalogService[];
  const skus = await Promise.all(
    names.map(async (name) => {
      const id = idOf(name);
      return [name, id ? await listCatalogSkus<CatalogSku>(gcp, id) : []] as const;
    }),
  );
  return pricesFromCatalog(CURRENT_PRICES, region, Object.fromEntries(skus), today);
}
