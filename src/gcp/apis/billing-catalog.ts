// Cloud Billing Catalog v1 (REST): public list prices by service and SKU, for `atlantis-run cost
// --live`. An OAuth token works in place of the API key the documentation shows; pages are
// followed through nextPageToken. https://cloud.google.com/billing/v1/how-tos/catalog-api
import type { Gcp } from '../call.js';

const API = 'cloudbilling.googleapis.com';

export interface CatalogServiceInfo {
  name: string;
  serviceId: string;
  displayName: string;
}

async function pages<T>(gcp: Gcp, method: string, url: string, key: 'services' | 'skus', params: Record<string, string>): Promise<T[]> {
  const all: T[] = [];
  let pageToken: string | undefined;
  do {
    const page = await gcp.caller.run({ api: API, method, resource: url }, () =>
      gcp.factory.request<Record<string, unknown> & { nextPageToken?: string }>({
        url,
        params: { ...params, pageSize: '5000', ...(pageToken ? { pageToken } : {}) },
      }),
    );
    all.push(...((page[key] as T[] | undefined) ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return all;
}

export function listCatalogServices(gcp: Gcp): Promise<CatalogServiceInfo[]> {
  return pages(gcp, 'ListServices', `${gcp.factory.restBase('cloudbilling')}/services`, 'services', {});
}

/** Every SKU of a service, priced in USD. */
export function listCatalogSkus<T>(gcp: Gcp, serviceId: string): Promise<T[]> {
  return pages(gcp, 'ListSkus', `${gcp.factory.restBase('cloudbilling')}/services/${serviceId}/skus`, 'skus', { currencyCode: 'USD' });
}
