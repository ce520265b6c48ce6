// IAM v1 workload identity pools and their providers (part of the IAM API, assembled in ./iam.ts):
// REST only. Create, patch, delete and undelete answer a long-running operation named
// `projects/NUMBER/locations/global/workloadIdentityPools/POOL[/providers/P]/operations/ID`, polled at
// that path, which carries no metadata and, when done, no response — as KCC's real exchanges
// (iam-workload-identity-pool-provider, see test/emulator/recordings/README.md) show. Effects apply when the
// operation is done. Deletion is soft: state DELETED for 30 days (undelete possible, id not reusable).
import { randomBytes } from 'node:crypto';
import { restRoute, type CallContext, type OperationCompleter, type RestRoute } from '../core/api.js';
import { ApiError, ENTITY_NOT_FOUND, unknownFieldError } from '../core/errors.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';
import {
  POOLS_COLLECTION,
  PROVIDERS_COLLECTION,
  SOFT_DELETE_RETENTION_MS,
  poolKey,
  providerKey,
  purgeExpired,
  type PoolRecord,
  type ProviderRecord,
} from '../core/workload-identity.js';
import { checkCelExpression } from './iam-cel.js';

const API = 'iam.googleapis.com';
const RPC = 'google.iam.v1.WorkloadIdentityPools';

const PARENT = /^projects\/([^/]+)\/locations\/([^/]+)$/;
const POOL_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)$/;
const PROVIDER_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;
/** Pool and provider ids: "4-32 characters, and may contain the characters [a-z0-9-]. The prefix `gcp-` is reserved". */
const RESOURCE_ID = /^[a-z0-9-]{4,32}$/;
const CUSTOM_ATTRIBUTE = /^attribute\.[a-z0-9_]{1,100}$/;
const GOOGLE_ATTRIBUTES = new Set(['google.subject', 'google.groups']);
const DURATION = /^(\d+)(\.\d{1,9})?s$/;

/**
 * Issuers shared by every customer of a CI service. Google refuses providers for them without an
 * attribute condition on the provider's claims (workload-identity-federation-with-deployment-pipelines#conditions).
 */
const SHARED_CI_ISSUERS = new Set(['https://token.actions.githubusercontent.com', 'https://gitlab.com', 'https://app.terraform.io']);
const CI_CONDITION_REQUIRED =
  "The attribute condition must reference one of the provider's claims. For more information, see https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines#conditions";

const POOL_FIELDS = new Set([
  'name',
  'displayName',
  'description',
  'state',
  'disabled',
  'expireTime',
  'sessionDuration',
  'mode',
  'inlineCertificateIssuanceConfig',
  'inlineTrustConfig',
]);
const PROVIDER_FIELDS = new Set([
  'name',
  'displayName',
  'description',
  'state',
  'disabled',
  'expireTime',
  'attributeMapping',
  'attributeCondition',
  'oidc',
  'aws',
  'saml',
  'x509',
]);
const KIND_FIELDS: Record<'oidc' | 'aws' | 'saml', Set<string>> = {
  oidc: new Set(['issuerUri', 'allowedAudiences', 'jwksJson']),
  aws: new Set(['accountId']),
  saml: new Set(['idpMetadataXml']),
};

const POOL_MASK = new Map([
  ['display_name', 'displayName'],
  ['description', 'description'],
  ['disabled', 'disabled'],
  ['session_duration', 'sessionDuration'],
]);
const PROVIDER_MASK = new Map([
  ['display_name', 'displayName'],
  ['description', 'description'],
  ['disabled', 'disabled'],
  ['attribute_mapping', 'attributeMapping'],
  ['attribute_condition', 'attributeCondition'],
  ['oidc', 'oidc'],
  ['oidc.issuer_uri', 'oidc.issuerUri'],
  ['oidc.allowed_audiences', 'oidc.allowedAudiences'],
  ['oidc.jwks_json', 'oidc.jwksJson'],
  ['aws', 'aws'],
  ['aws.account_id', 'aws.accountId'],
  ['saml', 'saml'],
  ['saml.idp_metadata_xml', 'saml.idpMetadataXml'],
]);

function invalid(message: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', message);
}

function notFound(): ApiError {
  return new ApiError('NOT_FOUND', ENTITY_NOT_FOUND);
}

/** Google's operation ids here look like `bigarnps4gyamefqt25kuai000000000`: lower-case base32, zero-padded to 32. */
function operationId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(21);
  return `bi${[...bytes].map((byte) => alphabet[byte % 32]).join('')}000000000`;
}

function pools(services: EmulatorServices) {
  return services.store.collection<PoolRecord>(POOLS_COLLECTION);
}

function providers(services: EmulatorServices) {
  return services.store.collection<ProviderRecord>(PROVIDERS_COLLECTION);
}

function requireProject(reference: string, services: EmulatorServices): ProjectRecord {
  return services.projects.require(reference, API);
}

function checkLocation(location: string): void {
  if (location !== 'global') throw invalid(`Location '${location}' is not supported: the only supported location is global.`);
}

function checkId(id: string | undefined, kind: 'pool' | 'provider'): string {
  const field = kind === 'pool' ? 'workload_identity_pool_id' : 'workload_identity_pool_provider_id';
  if (!id) throw invalid(`${field} is required.`);
  if (id.startsWith('gcp-')) throw invalid(`Invalid ${field} "${id}": the prefix gcp- is reserved for use by Google.`);
  if (!RESOURCE_ID.test(id)) throw invalid(`Invalid ${field} "${id}": it must be 4-32 characters of [a-z0-9-].`);
  return id;
}

function checkKnownFields(body: JsonObject, known: Set<string>, at: string): void {
  for (const field of Object.keys(body)) if (!known.has(field)) throw unknownFieldError(field, at);
}

function checkDisplay(fields: { displayName?: unknown; description?: unknown }): void {
  if (typeof fields.displayName === 'string' && fields.displayName.length > 32) {
    throw invalid('display name must be less than or equal to 32 characters');
  }
  if (typeof fields.description === 'string' && fields.description.length > 256) {
    throw invalid('description must be less than or equal to 256 characters');
  }
}

// -------------------------------------------------------------------------------------------
// Rendering

function expireTimeOf(record: { deleteTime?: number }): string | undefined {
  return record.deleteTime === undefined ? undefined : new Date(record.deleteTime + SOFT_DELETE_RETENTION_MS).toISOString();
}

function poolJson(pool: PoolRecord): JsonObject {
  const json: JsonObject = { name: poolKey(pool.projectNumber, pool.poolId) };
  if (pool.displayName) json.displayName = pool.displayName;
  if (pool.description) json.description = pool.description;
  json.state = pool.state;
  if (pool.disabled) json.disabled = true;
  if (pool.sessionDuration) json.sessionDuration = pool.sessionDuration;
  const expireTime = expireTimeOf(pool);
  if (expireTime) json.expireTime = expireTime;
  return json;
}

function providerJson(provider: ProviderRecord): JsonObject {
  const json: JsonObject = { name: providerKey(provider.projectNumber, provider.poolId, provider.providerId) };
  if (provider.displayName) json.displayName = provider.displayName;
  if (provider.description) json.description = provider.description;
  json.state = provider.state;
  if (provider.disabled) json.disabled = true;
  if (provider.attributeMapping) json.attributeMapping = provider.attributeMapping;
  if (provider.attributeCondition) json.attributeCondition = provider.attributeCondition;
  for (const kind of ['oidc', 'aws', 'saml'] as const) if (provider[kind]) json[kind] = provider[kind] as JsonObject;
  const expireTime = expireTimeOf(provider);
  if (expireTime) json.expireTime = expireTime;
  return json;
}

// -------------------------------------------------------------------------------------------
// Names and lookups

interface PoolRef {
  project: ProjectRecord;
  poolId: string;
}

function parsePoolName(name: string, services: EmulatorServices): PoolRef {
  const match = POOL_NAME.exec(name);
  if (!match) throw invalid(`Invalid workload identity pool name: ${name}.`);
  checkLocation(match[2]);
  return { project: requireProject(match[1], services), poolId: match[3] };
}

function findPoolRecord(ref: PoolRef, services: EmulatorServices, now: number): PoolRecord {
  purgeExpired(services.store, now);
  const pool = pools(services).get(poolKey(ref.project.projectNumber, ref.poolId));
  if (!pool || pool.pending) throw notFound();
  return pool;
}

function parseProviderName(name: string, services: EmulatorServices): PoolRef & { providerId: string } {
  const match = PROVIDER_NAME.exec(name);
  if (!match) throw invalid(`Invalid workload identity pool provider name: ${name}.`);
  checkLocation(match[2]);
  return { project: requireProject(match[1], services), poolId: match[3], providerId: match[4] };
}

function findProviderRecord(ref: PoolRef & { providerId: string }, services: EmulatorServices, now: number): ProviderRecord {
  findPoolRecord(ref, services, now);
  const provider = providers(services).get(providerKey(ref.project.projectNumber, ref.poolId, ref.providerId));
  if (!provider || provider.pending) throw notFound();
  return provider;
}

// -------------------------------------------------------------------------------------------
// Validation

function checkSessionDuration(value: unknown): void {
  if (value === undefined) return;
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  const seconds = match ? Number(match[1]) + Number(match[2] ?? 0) : NaN;
  if (!(seconds >= 120 && seconds <= 12 * 3600)) throw invalid('session_duration must be between 2 minutes and 12 hours.');
}

/** The pool fields a request may set, validated. */
function poolFields(body: JsonObject): Partial<PoolRecord> {
  checkKnownFields(body, POOL_FIELDS, 'workload_identity_pool');
  if (body.mode !== undefined && body.mode !== 'FEDERATION_ONLY' && body.mode !== 'MODE_UNSPECIFIED') {
    throw new ApiError('UNIMPLEMENTED', `Workload identity pools in mode ${JSON.stringify(body.mode)} are not emulated.`);
  }
  if (body.inlineCertificateIssuanceConfig !== undefined || body.inlineTrustConfig !== undefined) {
    throw new ApiError('UNIMPLEMENTED', 'Managed workload identity (inline trust and certificate issuance configs) is not emulated.');
  }
  checkDisplay(body);
  checkSessionDuration(body.sessionDuration);
  const fields: Partial<PoolRecord> = {};
  if (typeof body.displayName === 'string' && body.displayName) fields.displayName = body.displayName;
  if (typeof body.description === 'string' && body.description) fields.description = body.description;
  if (body.disabled === true) fields.disabled = true;
  if (typeof body.sessionDuration === 'string') fields.sessionDuration = body.sessionDuration;
  return fields;
}

function checkAttributeMapping(mapping: unknown, required: boolean): Record<string, string> | undefined {
  if (mapping === undefined || (isJsonObject(mapping) && Object.keys(mapping).length === 0)) {
    if (required) throw invalid('attribute_mapping is required for OIDC providers and must map google.subject.');
    return undefined;
  }
  if (!isJsonObject(mapping)) throw invalid('attribute_mapping must be a map of attribute names to CEL expressions.');
  let custom = 0;
  for (const [key, expression] of Object.entries(mapping)) {
    if (!GOOGLE_ATTRIBUTES.has(key) && !CUSTOM_ATTRIBUTE.test(key)) {
      throw invalid(`Invalid mapped attribute key: ${key}. Custom mapped attributes must be in format 'attribute.{custom_attribute}'`);
    }
    if (CUSTOM_ATTRIBUTE.test(key)) custom += 1;
    if (typeof expression !== 'string' || expression.length > 2048) {
      throw invalid(`The attribute mapping for ${key} must be a CEL expression of at most 2048 characters.`);
    }
    checkCelExpression(expression, ['assertion'], `The attribute mapping for ${key}`);
  }
  if (custom > 50) throw invalid('At most 50 custom attributes can be mapped.');
  if (!('google.subject' in mapping)) throw invalid('attribute_mapping must include a mapping to google.subject.');
  return mapping as Record<string, string>;
}

function checkOidc(oidc: JsonObject): void {
  checkKnownFields(oidc, KIND_FIELDS.oidc, 'workload_identity_pool_provider.oidc');
  let issuer: URL | undefined;
  try {
    issuer = typeof oidc.issuerUri === 'string' ? new URL(oidc.issuerUri) : undefined;
  } catch {
    issuer = undefined;
  }
  if (!issuer || issuer.protocol !== 'https:') throw invalid('oidc.issuer_uri is required and must be an HTTPS URL.');
  const audiences = oidc.allowedAudiences ?? [];
  if (!Array.isArray(audiences) || audiences.length > 10) throw invalid('oidc.allowed_audiences may list at most 10 audiences.');
  for (const audience of audiences) {
    if (typeof audience !== 'string' || audience === '' || audience.length > 256) {
      throw invalid('Each of oidc.allowed_audiences must be 1 to 256 characters.');
    }
  }
  if (oidc.jwksJson !== undefined) {
    let keys: unknown;
    try {
      keys = typeof oidc.jwksJson === 'string' ? (JSON.parse(oidc.jwksJson) as { keys?: unknown }).keys : undefined;
    } catch {
      keys = undefined;
    }
    if (!Array.isArray(keys)) throw invalid('oidc.jwks_json must be a JSON Web Key Set ({"keys": [...]}).');
  }
}

function checkAws(aws: JsonObject): void {
  checkKnownFields(aws, KIND_FIELDS.aws, 'workload_identity_pool_provider.aws');
  if (typeof aws.accountId !== 'string' || !/^\d{12}$/.test(aws.accountId))
    throw invalid('aws.account_id must be a 12-digit AWS account id.');
}

function checkSaml(saml: JsonObject): void {
  checkKnownFields(saml, KIND_FIELDS.saml, 'workload_identity_pool_provider.saml');
  if (typeof saml.idpMetadataXml !== 'string' || saml.idpMetadataXml === '') throw invalid('saml.idp_metadata_xml is required.');
}

/** The provider kind (`oidc`, `aws`, `saml`) of a complete provider, validated. */
function checkKind(provider: Partial<ProviderRecord>): 'oidc' | 'aws' | 'saml' {
  const kinds = (['oidc', 'aws', 'saml'] as const).filter((kind) => provider[kind] !== undefined);
  if (kinds.length !== 1) throw invalid('A provider must have exactly one of oidc, aws, saml or x509.');
  const kind = kinds[0];
  const config = provider[kind];
  if (!isJsonObject(config)) throw invalid(`${kind} must be an object.`);
  if (kind === 'oidc') checkOidc(config);
  else if (kind === 'aws') checkAws(config);
  else checkSaml(config);
  return kind;
}

function checkCondition(provider: Partial<ProviderRecord>): void {
  const condition = provider.attributeCondition;
  let referenced = new Set<string>();
  if (condition !== undefined && condition !== '') {
    if (condition.length > 4096) throw invalid('The attribute condition must be at most 4096 characters.');
    referenced = checkCelExpression(condition, ['assertion', 'google', 'attribute'], 'The attribute condition');
  }
  const issuer = typeof provider.oidc?.issuerUri === 'string' ? provider.oidc.issuerUri.replace(/\/+$/, '') : undefined;
  if (issuer && SHARED_CI_ISSUERS.has(issuer) && referenced.size === 0) throw invalid(CI_CONDITION_REQUIRED);
}

/** A whole provider (as it would be stored), validated as Google validates create and the result of a patch. */
function checkProvider(provider: Partial<ProviderRecord>): void {
  checkDisplay(provider);
  const kind = checkKind(provider);
  provider.attributeMapping = checkAttributeMapping(provider.attributeMapping, kind === 'oidc');
  checkCondition(provider);
}

/** The provider fields of a request body (unknown names refused), not yet validated as a whole. */
function providerFields(body: JsonObject): Partial<ProviderRecord> {
  checkKnownFields(body, PROVIDER_FIELDS, 'workload_identity_pool_provider');
  if (body.x509 !== undefined) throw new ApiError('UNIMPLEMENTED', 'X.509 workload identity pool providers are not emulated.');
  const fields: Partial<ProviderRecord> = {};
  if (typeof body.displayName === 'string' && body.displayName) fields.displayName = body.displayName;
  if (typeof body.description === 'string' && body.description) fields.description = body.description;
  if (body.disabled === true) fields.disabled = true;
  if (isJsonObject(body.attributeMapping)) fields.attributeMapping = body.attributeMapping as Record<string, string>;
  else if (body.attributeMapping !== undefined) throw invalid('attribute_mapping must be a map of attribute names to CEL expressions.');
  if (typeof body.attributeCondition === 'string' && body.attributeCondition) fields.attributeCondition = body.attributeCondition;
  for (const kind of ['oidc', 'aws', 'saml'] as const) {
    if (body[kind] !== undefined) fields[kind] = body[kind] as Record<string, unknown>;
  }
  return fields;
}

// -------------------------------------------------------------------------------------------
// Update masks

function maskPaths(updateMask: string | undefined, allowed: Map<string, string>, what: string): string[] {
  const paths = (updateMask ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  if (paths.length === 0) throw invalid('update_mask is required.');
  return paths.map((path) => {
    const camel = allowed.get(path) ?? [...allowed.values()].find((value) => value === path);
    if (!camel) throw invalid(`Invalid update_mask path "${path}" for a ${what}.`);
    return camel;
  });
}

/** `target` with the masked (camelCase, dotted) fields taken from `source`; a masked field `source` lacks is cleared. */
function applyMask<T extends object>(target: T, source: Partial<T>, paths: string[]): T {
  const merged = structuredClone(target) as Record<string, unknown>;
  const from = source as Record<string, unknown>;
  for (const path of paths) {
    const [head, leaf] = path.split('.') as [string, string | undefined];
    if (!leaf) {
      if (from[head] === undefined) delete merged[head];
      else merged[head] = structuredClone(from[head]);
      continue;
    }
    const nested = { ...((merged[head] as Record<string, unknown> | undefined) ?? {}) };
    const value = (from[head] as Record<string, unknown> | undefined)?.[leaf];
    if (value === undefined) delete nested[leaf];
    else nested[leaf] = structuredClone(value);
    merged[head] = nested;
  }
  return merged as T;
}

// -------------------------------------------------------------------------------------------
// Operations

type Action = 'poolCreated' | 'poolPatched' | 'poolDeleted' | 'poolUndeleted';
type ProviderAction = 'providerCreated' | 'providerPatched' | 'providerDeleted' | 'providerUndeleted';

function startOperation(ctx: CallContext, resourceName: string, action: Action | ProviderAction, payload: JsonObject): JsonObject {
  const operation = ctx.operations.start({
    name: `${resourceName}/operations/${operationId()}`,
    api: API,
    completion: { action, payload },
  });
  return ctx.operations.toJson(operation);
}

/** Applies a change to a pool or provider record when its operation is done (the record may have gone meanwhile). */
function completer<T extends { pending?: boolean; state: string; deleteTime?: number }>(
  collection: 'pools' | 'providers',
  change: (record: T, payload: JsonObject) => void,
): OperationCompleter {
  return (payload, services) => {
    const records = (collection === 'pools' ? pools(services) : providers(services)) as unknown as {
      get(key: string): T | undefined;
      set(key: string, value: T): void;
    };
    const key = (payload as JsonObject).key as string;
    const record = records.get(key);
    if (record) {
      change(record, payload as JsonObject);
      records.set(key, record);
    }
    return {};
  };
}

function softDelete(record: { state: string; deleteTime?: number }, payload: JsonObject): void {
  record.state = 'DELETED';
  record.deleteTime = Number(payload.at);
}

function restore(record: { state: string; deleteTime?: number }): void {
  record.state = 'ACTIVE';
  delete record.deleteTime;
}

function patch(record: object, payload: JsonObject): void {
  const next = applyMask(record, payload.fields as Partial<typeof record>, payload.paths as string[]);
  for (const key of Object.keys(record)) delete (record as Record<string, unknown>)[key];
  Object.assign(record, next);
}

export const workloadIdentityCompleters: Record<string, OperationCompleter> = {
  poolCreated: completer<PoolRecord>('pools', (record) => delete record.pending),
  poolPatched: completer<PoolRecord>('pools', patch),
  poolDeleted: completer<PoolRecord>('pools', softDelete),
  poolUndeleted: completer<PoolRecord>('pools', restore),
  providerCreated: completer<ProviderRecord>('providers', (record) => delete record.pending),
  providerPatched: completer<ProviderRecord>('providers', patch),
  providerDeleted: completer<ProviderRecord>('providers', softDelete),
  providerUndeleted: completer<ProviderRecord>('providers', restore),
};

/** Where the operations are polled. */
export const WORKLOAD_IDENTITY_OPERATION_PATHS = [
  '/v1/{name=projects/*/locations/*/workloadIdentityPools/*/operations/*}',
  '/v1/{name=projects/*/locations/*/workloadIdentityPools/*/providers/*/operations/*}',
];

// -------------------------------------------------------------------------------------------
// Routes

function listParams(request: { pageSize?: string; pageToken?: string; showDeleted?: string | boolean }) {
  const pageSize = request.pageSize === undefined ? undefined : Number(request.pageSize);
  if (pageSize !== undefined && !Number.isInteger(pageSize)) throw invalid(`Invalid value for page_size: ${request.pageSize}`);
  return { pageSize, showDeleted: request.showDeleted === true || request.showDeleted === 'true' };
}

function poolRoutes(): RestRoute[] {
  const create = restRoute<{ parent: string; workloadIdentityPoolId?: string; workloadIdentityPool?: JsonObject }>({
    verb: 'POST',
    path: '/v1/{parent=projects/*/locations/*}/workloadIdentityPools',
    body: 'workloadIdentityPool',
    rpcName: `${RPC}/CreateWorkloadIdentityPool`,
    permission: 'iam.workloadIdentityPools.create',
    resource: (request) => `${request.parent}/workloadIdentityPools/${request.workloadIdentityPoolId ?? ''}`,
    handle(request, ctx) {
      const match = PARENT.exec(request.parent);
      if (!match) throw invalid(`Invalid parent: ${request.parent}.`);
      checkLocation(match[2]);
      const project = requireProject(match[1], ctx);
      const poolId = checkId(request.workloadIdentityPoolId, 'pool');
      const fields = poolFields(request.workloadIdentityPool ?? {});
      purgeExpired(ctx.store, ctx.now);
      const key = poolKey(project.projectNumber, poolId);
      // A soft-deleted pool keeps its id for 30 days; a pending create holds it already.
      if (pools(ctx).has(key)) throw new ApiError('ALREADY_EXISTS', 'Requested entity already exists');
      pools(ctx).set(key, {
        projectId: project.projectId,
        projectNumber: project.projectNumber,
        poolId,
        pending: true,
        state: 'ACTIVE',
        ...fields,
        createTime: ctx.now,
      });
      return startOperation(ctx, key, 'poolCreated', { key });
    },
  });

  const get = restRoute<{ name: string }>({
    verb: 'GET',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*}',
    rpcName: `${RPC}/GetWorkloadIdentityPool`,
    permission: 'iam.workloadIdentityPools.get',
    resource: (request) => request.name,
    handle: (request, ctx) => poolJson(findPoolRecord(parsePoolName(request.name, ctx), ctx, ctx.now)),
  });

  const list = restRoute<{ parent: string; pageSize?: string; pageToken?: string; showDeleted?: string }>({
    verb: 'GET',
    path: '/v1/{parent=projects/*/locations/*}/workloadIdentityPools',
    rpcName: `${RPC}/ListWorkloadIdentityPools`,
    permission: 'iam.workloadIdentityPools.list',
    resource: (request) => request.parent,
    handle(request, ctx) {
      const match = PARENT.exec(request.parent);
      if (!match) throw invalid(`Invalid parent: ${request.parent}.`);
      checkLocation(match[2]);
      const project = requireProject(match[1], ctx);
      const { pageSize, showDeleted } = listParams(request);
      purgeExpired(ctx.store, ctx.now);
      const listed = pools(ctx)
        .values()
        .filter((pool) => pool.projectNumber === project.projectNumber && !pool.pending && (showDeleted || pool.state === 'ACTIVE'))
        .sort((a, b) => a.poolId.localeCompare(b.poolId));
      const page = paginate(listed, pageSize, request.pageToken, { defaultSize: 50, maxSize: 1000 });
      const json: JsonObject = {};
      if (page.items.length > 0) json.workloadIdentityPools = page.items.map(poolJson);
      if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
      return json;
    },
  });

  const update = restRoute<{ name: string; updateMask?: string; workloadIdentityPool?: JsonObject }>({
    verb: 'PATCH',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*}',
    body: 'workloadIdentityPool',
    rpcName: `${RPC}/UpdateWorkloadIdentityPool`,
    permission: 'iam.workloadIdentityPools.update',
    resource: (request) => request.name,
    handle(request, ctx) {
      const pool = findPoolRecord(parsePoolName(request.name, ctx), ctx, ctx.now);
      if (pool.state === 'DELETED') throw new ApiError('FAILED_PRECONDITION', 'Cannot update a deleted workload identity pool.');
      const fields = poolFields(request.workloadIdentityPool ?? {});
      const paths = maskPaths(request.updateMask, POOL_MASK, 'workload identity pool');
      const key = poolKey(pool.projectNumber, pool.poolId);
      return startOperation(ctx, key, 'poolPatched', { key, paths, fields: fields });
    },
  });

  const remove = restRoute<{ name: string }>({
    verb: 'DELETE',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*}',
    rpcName: `${RPC}/DeleteWorkloadIdentityPool`,
    permission: 'iam.workloadIdentityPools.delete',
    resource: (request) => request.name,
    handle(request, ctx) {
      const pool = findPoolRecord(parsePoolName(request.name, ctx), ctx, ctx.now);
      if (pool.state === 'DELETED') throw new ApiError('FAILED_PRECONDITION', 'The workload identity pool is already deleted.');
      const key = poolKey(pool.projectNumber, pool.poolId);
      return startOperation(ctx, key, 'poolDeleted', { key, at: ctx.now });
    },
  });

  const undelete = restRoute<{ name: string }>({
    verb: 'POST',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*}:undelete',
    body: '*',
    rpcName: `${RPC}/UndeleteWorkloadIdentityPool`,
    permission: 'iam.workloadIdentityPools.undelete',
    resource: (request) => request.name,
    handle(request, ctx) {
      const pool = findPoolRecord(parsePoolName(request.name, ctx), ctx, ctx.now);
      if (pool.state !== 'DELETED') throw new ApiError('FAILED_PRECONDITION', 'The workload identity pool is not deleted.');
      const key = poolKey(pool.projectNumber, pool.poolId);
      return startOperation(ctx, key, 'poolUndeleted', { key });
    },
  });

  return [create, get, list, update, remove, undelete];
}

function providerRoutes(): RestRoute[] {
  const create = restRoute<{ parent: string; workloadIdentityPoolProviderId?: string; workloadIdentityPoolProvider?: JsonObject }>({
    verb: 'POST',
    path: '/v1/{parent=projects/*/locations/*/workloadIdentityPools/*}/providers',
    body: 'workloadIdentityPoolProvider',
    rpcName: `${RPC}/CreateWorkloadIdentityPoolProvider`,
    permission: 'iam.workloadIdentityPoolProviders.create',
    resource: (request) => `${request.parent}/providers/${request.workloadIdentityPoolProviderId ?? ''}`,
    handle(request, ctx) {
      const pool = findPoolRecord(parsePoolName(request.parent, ctx), ctx, ctx.now);
      const providerId = checkId(request.workloadIdentityPoolProviderId, 'provider');
      if (pool.state === 'DELETED')
        throw new ApiError('FAILED_PRECONDITION', 'Cannot create a provider in a deleted workload identity pool.');
      const fields = providerFields(request.workloadIdentityPoolProvider ?? {});
      checkProvider(fields);
      const key = providerKey(pool.projectNumber, pool.poolId, providerId);
      if (providers(ctx).has(key)) throw new ApiError('ALREADY_EXISTS', 'Requested entity already exists');
      providers(ctx).set(key, {
        projectId: pool.projectId,
        projectNumber: pool.projectNumber,
        poolId: pool.poolId,
        providerId,
        pending: true,
        state: 'ACTIVE',
        ...fields,
        createTime: ctx.now,
      });
      return startOperation(ctx, key, 'providerCreated', { key });
    },
  });

  const get = restRoute<{ name: string }>({
    verb: 'GET',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*/providers/*}',
    rpcName: `${RPC}/GetWorkloadIdentityPoolProvider`,
    permission: 'iam.workloadIdentityPoolProviders.get',
    resource: (request) => request.name,
    handle: (request, ctx) => providerJson(findProviderRecord(parseProviderName(request.name, ctx), ctx, ctx.now)),
  });

  const list = restRoute<{ parent: string; pageSize?: string; pageToken?: string; showDeleted?: string }>({
    verb: 'GET',
    path: '/v1/{parent=projects/*/locations/*/workloadIdentityPools/*}/providers',
    rpcName: `${RPC}/ListWorkloadIdentityPoolProviders`,
    permission: 'iam.workloadIdentityPoolProviders.list',
    resource: (request) => request.parent,
    handle(request, ctx) {
      const pool = findPoolRecord(parsePoolName(request.parent, ctx), ctx, ctx.now);
      const { pageSize, showDeleted } = listParams(request);
      const listed = providers(ctx)
        .values()
        .filter(
          (provider) =>
            provider.projectNumber === pool.projectNumber &&
            provider.poolId === pool.poolId &&
            !provider.pending &&
            (showDeleted || provider.state === 'ACTIVE'),
        )
        .sort((a, b) => a.providerId.localeCompare(b.providerId));
      const page = paginate(listed, pageSize, request.pageToken, { defaultSize: 50, maxSize: 100 });
      const json: JsonObject = {};
      if (page.items.length > 0) json.workloadIdentityPoolProviders = page.items.map(providerJson);
      if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
      return json;
    },
  });

  const update = restRoute<{ name: string; updateMask?: string; workloadIdentityPoolProvider?: JsonObject }>({
    verb: 'PATCH',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*/providers/*}',
    body: 'workloadIdentityPoolProvider',
    rpcName: `${RPC}/UpdateWorkloadIdentityPoolProvider`,
    permission: 'iam.workloadIdentityPoolProviders.update',
    resource: (request) => request.name,
    handle(request, ctx) {
      const provider = findProviderRecord(parseProviderName(request.name, ctx), ctx, ctx.now);
      if (provider.state === 'DELETED')
        throw new ApiError('FAILED_PRECONDITION', 'Cannot update a deleted workload identity pool provider.');
      const fields = providerFields(request.workloadIdentityPoolProvider ?? {});
      const paths = maskPaths(request.updateMask, PROVIDER_MASK, 'workload identity pool provider');
      const before = (['oidc', 'aws', 'saml'] as const).find((kind) => provider[kind] !== undefined);
      const next = applyMask(provider, fields, paths);
      const after = (['oidc', 'aws', 'saml'] as const).filter((kind) => next[kind] !== undefined);
      // The kind of a provider is fixed at creation.
      if (after.length !== 1 || after[0] !== before) throw invalid(`The provider type cannot be changed: this provider is ${before}.`);
      checkProvider(next);
      const key = providerKey(provider.projectNumber, provider.poolId, provider.providerId);
      return startOperation(ctx, key, 'providerPatched', { key, paths, fields: fields as unknown as JsonObject });
    },
  });

  const remove = restRoute<{ name: string }>({
    verb: 'DELETE',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*/providers/*}',
    rpcName: `${RPC}/DeleteWorkloadIdentityPoolProvider`,
    permission: 'iam.workloadIdentityPoolProviders.delete',
    resource: (request) => request.name,
    handle(request, ctx) {
      const provider = findProviderRecord(parseProviderName(request.name, ctx), ctx, ctx.now);
      if (provider.state === 'DELETED')
        throw new ApiError('FAILED_PRECONDITION', 'The workload identity pool provider is already deleted.');
      const key = providerKey(provider.projectNumber, provider.poolId, provider.providerId);
      return startOperation(ctx, key, 'providerDeleted', { key, at: ctx.now });
    },
  });

  const undelete = restRoute<{ name: string }>({
    verb: 'POST',
    path: '/v1/{name=projects/*/locations/*/workloadIdentityPools/*/providers/*}:undelete',
    body: '*',
    rpcName: `${RPC}/UndeleteWorkloadIdentityPoolProvider`,
    permission: 'iam.workloadIdentityPoolProviders.undelete',
    resource: (request) => request.name,
    handle(request, ctx) {
      const provider = findProviderRecord(parseProviderName(request.name, ctx), ctx, ctx.now);
      if (provider.state !== 'DELETED') throw new ApiError('FAILED_PRECONDITION', 'The workload identity pool provider is not deleted.');
      const key = providerKey(provider.projectNumber, provider.poolId, provider.providerId);
      return startOperation(ctx, key, 'providerUndeleted', { key });
    },
  });

  return [create, get, list, update, remove, undelete];
}

/** The workload identity federation routes of the IAM API. */
export function workloadIdentityRoutes(): RestRoute[] {
  return [...poolRoutes(), ...providerRoutes()];
}
