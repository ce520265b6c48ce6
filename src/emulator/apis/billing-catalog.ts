// Cloud Billing Catalog API v1 (cloudbilling.googleapis.com), REST: `GET /v1/services` and
// `GET /v1/services/{serviceId}/skus` (currencyCode, pageSize ≤ 5000, pageToken), with Google's
// Service and Sku shapes (https://docs.cloud.google.com/billing/v1/how-tos/catalog-api and real
// SKU JSON, see billing-catalog-data.ts). The catalog is public: Google wants an API key
// (`?key=`) or an OAuth token — no IAM permission — and bills quota to the caller's project: the
// key's project, or with user credentials the `x-goog-user-project` quota project, where the
// Cloud Billing API must be enabled. The emulator cannot tell a key's project, so it checks
// enablement only in an `x-goog-user-project` project. Served as raw routes because the common
// REST path demands a bearer token, and this API also takes keys.
import { defineApi, rawRoute, type RawHttpRequest, type RawHttpResponse } from '../core/api.js';
import { ApiError, errorInfo, restErrorBody } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import { CATALOG, UNITS, type ServiceSpec, type SkuSpec } from './billing-catalog-data.js';

export const BILLING_API = 'cloudbilling.googleapis.com';
const RPC = 'google.cloud.billing.v1.CloudCatalog';
const PAGE_LIMITS = { defaultSize: 5000, maxSize: 5000 };

/** Google's system parameters, never request fields. */
const SYSTEM_PARAMETERS = new Set([
  'key',
  'alt',
  '$alt',
  'prettyPrint',
  'fields',
  '$.xgafv',
  'access_token',
  'oauth_token',
  'quotaUser',
  'userIp',
  'callback',
  'upload_protocol',
  'uploadType',
  'trace',
]);
const API_KEY = /^AIza[0-9A-Za-z_-]{35}$/;

// Google's texts for a call with no credentials and for a malformed key.
const UNREGISTERED =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
const KEY_INVALID = 'API key not valid. Please pass a valid API key.';

function first(request: RawHttpRequest, name: string): string | undefined {
  return request.query[name]?.[0];
}

function hasBearer(request: RawHttpRequest): boolean {
  return /^Bearer\s+\S+/i.test(request.headers.authorization ?? '');
}

/** A call is identified by a bearer token or by any `key` parameter (a malformed key fails later, as at Google). */
function identified(request: RawHttpRequest): boolean {
  return hasBearer(request) || first(request, 'key') !== undefined;
}

function checkParameters(request: RawHttpRequest, allowed: string[]): void {
  for (const name of Object.keys(request.query)) {
    if (SYSTEM_PARAMETERS.has(name) || allowed.includes(name)) continue;
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`,
    );
  }
  const key = first(request, 'key');
  if (key !== undefined && !hasBearer(request) && !API_KEY.test(key)) {
    throw new ApiError('INVALID_ARGUMENT', KEY_INVALID, [errorInfo('API_KEY_INVALID', 'googleapis.com', { service: BILLING_API })]);
  }
}

function pageOf<T>(request: RawHttpRequest, items: T[]) {
  const raw = first(request, 'pageSize');
  const size = raw === undefined ? undefined : Number(raw);
  if (raw !== undefined && !Number.isInteger(size))
    throw new ApiError('INVALID_ARGUMENT', `Invalid value at 'page_size' (TYPE_INT32), "${raw}"`);
  return paginate(items, size, first(request, 'pageToken') || undefined, PAGE_LIMITS);
}

function json(body: JsonObject): RawHttpResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=UTF-8', Vary: 'Origin, X-Origin, Referer' },
    body: JSON.stringify(body, null, 2),
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function serviceJson(service: ServiceSpec): JsonObject {
  return {
    name: `services/${service.serviceId}`,
    serviceId: service.serviceId,
    displayName: service.displayName,
    businessEntityName: 'businessEntities/GCP',
  };
}

/** `"0.0000252"` → Money `{units: "0", nanos: 25200}` (exact: decimal strings, no floating point). */
function money(price: string, currencyCode: string): JsonObject {
  const [whole, fraction = ''] = price.split('.');
  const nanos = Number((fraction + '000000000').slice(0, 9));
  return { currencyCode, units: String(Number(whole)), nanos };
}

function skuJson(service: ServiceSpec, sku: SkuSpec, currencyCode: string): JsonObject {
  const unit = UNITS[sku.unit];
  return {
    name: `services/${service.serviceId}/skus/${sku.skuId}`,
    skuId: sku.skuId,
    description: sku.description,
    category: {
      serviceDisplayName: service.displayName,
      resourceFamily: sku.resourceFamily,
      resourceGroup: sku.resourceGroup,
      usageType: 'OnDemand',
    },
    serviceRegions: sku.regions,
    pricingInfo: [
      {
        // Every recorded SKU answers an empty summary.
        summary: '',
        pricingExpression: {
          usageUnit: sku.unit,
          usageUnitDescription: unit.usageUnitDescription,
          baseUnit: unit.baseUnit,
          baseUnitDescription: unit.baseUnitDescription,
          baseUnitConversionFactor: unit.baseUnitConversionFactor,
          displayQuantity: 1,
          tieredRates: sku.tiers.map(([startUsageAmount, price]) => ({ startUsageAmount, unitPrice: money(price, currencyCode) })),
        },
        aggregationInfo: { aggregationLevel: 'ACCOUNT', aggregationInterval: 'MONTHLY', aggregationCount: 1 },
        currencyConversionRate: 1,
        effectiveTime: sku.effectiveTime,
      },
    ],
    serviceProviderName: 'Google',
    geoTaxonomy: sku.geo === 'GLOBAL' ? { type: 'GLOBAL' } : { type: sku.geo, regions: sku.regions },
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers

const SORTED_SERVICES = [...CATALOG].sort((a, b) => a.serviceId.localeCompare(b.serviceId));

function listServices(request: RawHttpRequest): RawHttpResponse {
  checkParameters(request, ['pageSize', 'pageToken']);
  const page = pageOf(request, SORTED_SERVICES);
  return json({ services: page.items.map(serviceJson), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
}

function currencyOf(request: RawHttpRequest): string {
  const code = first(request, 'currencyCode') || 'USD';
  if (!/^[A-Z]{3}$/.test(code)) throw new ApiError('INVALID_ARGUMENT', `Invalid currency code: ${code}`);
  if (code !== 'USD') {
    throw new ApiError('INVALID_ARGUMENT', `The emulator's catalog holds USD list prices only; currencyCode ${code} is not served.`);
  }
  return code;
}

function checkTime(request: RawHttpRequest, name: string): void {
  const value = first(request, name);
  if (value !== undefined && Number.isNaN(Date.parse(value))) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Invalid value at '${name === 'startTime' ? 'start_time' : 'end_time'}' (type.googleapis.com/google.protobuf.Timestamp), Field '${name}', Invalid time format: ${value}`,
    );
  }
}

function listSkus(request: RawHttpRequest): RawHttpResponse {
  checkParameters(request, ['currencyCode', 'pageSize', 'pageToken', 'startTime', 'endTime']);
  checkTime(request, 'startTime');
  checkTime(request, 'endTime');
  const currencyCode = currencyOf(request);
  const serviceId = request.params.parent?.replace(/^services\//, '') ?? '';
  const service = CATALOG.find((candidate) => candidate.serviceId === serviceId);
  if (!service) throw new ApiError('NOT_FOUND', `Service services/${serviceId} not found.`);
  const page = pageOf(request, service.skus);
  return json({
    skus: page.items.map((sku) => skuJson(service, sku, currencyCode)),
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  });
}

function renderError(error: ApiError): RawHttpResponse {
  const shown = error.code === 'UNAUTHENTICATED' ? new ApiError('PERMISSION_DENIED', UNREGISTERED) : error;
  return {
    status: shown.httpStatus,
    headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(restErrorBody(shown), null, 2),
  };
}

/** The quota project a call names (`x-goog-user-project`), where the Cloud Billing API must be enabled. */
function quotaProject(request: RawHttpRequest): string | undefined {
  return request.headers['x-goog-user-project'] || undefined;
}

export const billingCatalogApi = defineApi({
  service: BILLING_API,
  title: 'Cloud Billing API',
  rawRoutes: [
    rawRoute({
      verbs: ['GET'],
      path: '/v1/services',
      rpcName: `${RPC}/ListServices`,
      resource: () => 'services',
      project: quotaProject,
      authenticated: identified,
      handle: listServices,
      renderError,
    }),
    rawRoute({
      verbs: ['GET'],
      path: '/v1/{parent=services/*}/skus',
      rpcName: `${RPC}/ListSkus`,
      resource: (request) => request.params.parent ?? '',
      project: quotaProject,
      authenticated: identified,
      handle: listSkus,
      renderError,
    }),
  ],
});
