// Memorystore for Redis v1 (google.cloud.redis.v1.CloudRedis, gRPC + REST): instances with their
// states (CREATING → READY, UPDATING, DELETING), long-running create/update/delete, and the AUTH
// string. Shapes follow a real recording (k8s-config-connector redisinstance `_http.log`: server
// defaults `redisVersion`, `nodes`, `persistenceConfig`, `persistenceIamIdentity`,
// `readReplicasMode`, `transitEncryptionMode`, the `default` network, OperationMetadata); error texts
// from public reports where known. The instance takes a private range in its authorized network
// (services.networks), which keeps that network from being deleted.
import { randomBytes, randomUUID } from 'node:crypto';
import { defineApi, method, type CallContext, type SharedRestRequest } from '../core/api.js';
import { zonesOf, isComputeRegion } from '../core/compute-locations.js';
import { ApiError, badRequest, resourceInfo } from '../core/errors.js';
import { addressAt, parseCidr } from '../core/ipv4.js';
import { typeUrlOf } from '../core/json-codec.js';
import { camelCase, cloneJson, isJsonObject, type JsonObject, type JsonValue, jsonText } from '../core/json.js';
import type { Collection } from '../core/state.js';
import { paginate } from '../core/pagination.js';
import type { EmulatorServices } from '../core/services.js';
import { newServerCaCertificate } from './redis-tls.js';

const API = 'redis.googleapis.com';
const SERVICE = 'google.cloud.redis.v1.CloudRedis';
const INSTANCE_TYPE = 'google.cloud.redis.v1.Instance';
const METADATA_TYPE = 'google.cloud.redis.v1.OperationMetadata';

/** The version a create without `redisVersion` gets, as recorded. */
export const DEFAULT_REDIS_VERSION = 'REDIS_7_0';
const REDIS_VERSIONS = ['REDIS_3_2', 'REDIS_4_0', 'REDIS_5_0', 'REDIS_6_X', 'REDIS_7_0', 'REDIS_7_2'];
/** Memorystore for Redis capacity: 1 to 300 GB per instance (pricing's M1–M5 bands). */
const MAX_MEMORY_GB = 300;
const PORT = 6379;
const TLS_PORT = 6378;
/** Settable Redis configs (the Instance proto's comment), plus `maxmemory-clients` of Redis 7. */
const REDIS_CONFIGS = [
  'maxmemory-policy',
  'notify-keyspace-events',
  'activedefrag',
  'lfu-decay-time',
  'lfu-log-factor',
  'maxmemory-gb',
  'stream-node-max-bytes',
  'stream-node-max-entries',
  'maxmemory-clients',
];
/** update_mask paths Memorystore takes (proto comment and `gcloud redis instances update` flags). */
const UPDATABLE = [
  'displayName',
  'labels',
  'memorySizeGb',
  'redisConfigs',
  'replicaCount',
  'authEnabled',
  'maintenancePolicy',
  'persistenceConfig',
  'readReplicasMode',
  'secondaryIpRange',
  'maintenanceVersion',
];
const ID = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;

type RedisState = 'CREATING' | 'READY' | 'UPDATING' | 'DELETING';

export interface RedisInstanceRecord {
  name: string;
  projectId: string;
  location: string;
  /** Every field of the instance except `state`. */
  instance: JsonObject;
  state: RedisState;
  /** The network holding the instance's range (its name, in the same project). */
  network: string;
  authString?: string;
  /** Changes an update applies when its operation is done. */
  pending?: JsonObject;
}

function instancesOf(services: EmulatorServices): Collection<RedisInstanceRecord> {
  return services.store.collection<RedisInstanceRecord>('redis.instances');
}

/** INVALID_ARGUMENT the way Memorystore words it: a message plus a BadRequest on `instance.FIELD`. */
function invalid(field: string, value: JsonValue | undefined, message: string): ApiError {
  const shown = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field, description: `Invalid value: ${shown}` }])]);
}

function notFound(name: string): ApiError {
  return new ApiError('NOT_FOUND', `Resource '${name}' was not found`);
}

// -------------------------------------------------------------------------------------------
// Names

function parseParent(parent: string, ctx: EmulatorServices, allowAll = false): { projectId: string; location: string } {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(parent);
  if (!match) throw new ApiError('INVALID_ARGUMENT', `Invalid parent: "${parent}". Expected projects/{project}/locations/{location}.`);
  const projectId = ctx.projects.require(match[1], API).projectId;
  const location = match[2];
  if (!(allowAll && location === '-') && !isComputeRegion(location)) {
    throw new ApiError('NOT_FOUND', `Location "${location}" is not found or access is unauthorized.`);
  }
  return { projectId, location };
}

function findInstance(name: string, ctx: EmulatorServices): RedisInstanceRecord {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)\/instances\/([^/]+)$/.exec(name);
  const projectId = match ? ctx.projects.find(match[1])?.projectId : undefined;
  const record = projectId ? instancesOf(ctx).get(`projects/${projectId}/locations/${match![2]}/instances/${match![3]}`) : undefined;
  if (!record) throw notFound(name);
  return record;
}

// -------------------------------------------------------------------------------------------
// Create: validation and server defaults

interface Placement {
  locationId: string;
  alternativeLocationId?: string;
}

function placement(instance: JsonObject, region: string, standard: boolean): Placement {
  const zones = zonesOf(region);
  const locationId = jsonText(instance.locationId, zones[0]);
  if (!zones.includes(locationId))
    throw invalid('instance.location_id', locationId, `Zone ${locationId} is not a zone of region ${region}.`);
  if (!standard) {
    if (instance.alternativeLocationId) {
      throw invalid(
        'instance.alternative_location_id',
        instance.alternativeLocationId,
        'alternative_location_id is only applicable to the STANDARD_HA tier.',
      );
    }
    return { locationId };
  }
  const alternative = jsonText(
    instance.alternativeLocationId,
    zones.find((zone) => zone !== locationId),
  );
  if (!zones.includes(alternative) || alternative === locationId) {
    throw invalid(
      'instance.alternative_location_id',
      alternative,
      'alternative_location_id must be a different zone of the same region as location_id.',
    );
  }
  return { locationId, alternativeLocationId: alternative };
}

/** The authorized network: `projects/P/global/networks/N` of this project, existing; `default` when unset with DIRECT_PEERING. */
function authorizedNetwork(instance: JsonObject, projectId: string, ctx: EmulatorServices): { reference: string; name: string } {
  const given = typeof instance.authorizedNetwork === 'string' ? instance.authorizedNetwork : '';
  if (!given && instance.connectMode === 'PRIVATE_SERVICE_ACCESS')
    throw invalid('instance.authorized_network', '', 'You must specify an authorized network.');
  const reference = given || `projects/${projectId}/global/networks/default`;
  const match = /^projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(reference);
  if (!match) throw new ApiError('INVALID_ARGUMENT', 'invalid authorized_network format, value should be full path to network resource');
  if (ctx.projects.find(match[1])?.projectId !== projectId) {
    throw invalid('instance.authorized_network', reference, 'authorized_network must exist in the same project as redis instance');
  }
  const network = ctx.networks.network(projectId, match[2]);
  if (!network?.ready)
    throw invalid('instance.authorized_network', reference, 'Network name is not valid. Specify a valid name and try again.');
  return { reference, name: match[2] };
}

function checkSizing(instance: JsonObject, tier: string): { readReplicas: boolean; replicaCount: number } {
  const memory = instance.memorySizeGb;
  if (typeof memory !== 'number' || !Number.isInteger(memory) || memory < 1 || memory > MAX_MEMORY_GB) {
    throw invalid('instance.memory_size_gb', memory ?? 0, `Memory size must be between 1 and ${MAX_MEMORY_GB} GB.`);
  }
  const readReplicas = instance.readReplicasMode === 'READ_REPLICAS_ENABLED';
  if (readReplicas && tier !== 'STANDARD_HA') {
    throw invalid('instance.read_replicas_mode', 'READ_REPLICAS_ENABLED', 'Read replicas are only supported for the STANDARD_HA tier.');
  }
  if (readReplicas && memory < 5) throw invalid('instance.memory_size_gb', memory, 'Read replicas need an instance of at least 5 GB.');
  const defaultCount = tier === 'BASIC' ? 0 : readReplicas ? 2 : 1;
  const replicaCount = typeof instance.replicaCount === 'number' && instance.replicaCount !== 0 ? instance.replicaCount : defaultCount;
  const [min, max] = tier === 'BASIC' ? [0, 0] : readReplicas ? [1, 5] : [1, 1];
  if (replicaCount < min || replicaCount > max) {
    throw invalid(
      'instance.replica_count',
      replicaCount,
      `replica_count must be between ${min} and ${max} for this tier and read replicas mode.`,
    );
  }
  return { readReplicas, replicaCount };
}

function checkRedisConfigs(configs: JsonValue | undefined): void {
  if (!isJsonObject(configs)) return;
  for (const key of Object.keys(configs)) {
    if (!REDIS_CONFIGS.includes(key)) throw invalid('instance.redis_configs', key, `Unsupported Redis config: ${key}.`);
  }
}

/** The instance's range: the caller's (a /29, or /28 with read replicas, free in the network) or one picked like Google's. */
function reservedRange(
  instance: JsonObject,
  name: string,
  projectId: string,
  network: string,
  prefix: number,
  ctx: EmulatorServices,
): string {
  const given = typeof instance.reservedIpRange === 'string' ? instance.reservedIpRange : '';
  if (given && instance.connectMode !== 'PRIVATE_SERVICE_ACCESS') {
    const range = parseCidr(given);
    if (!range || range.prefix !== prefix) {
      throw invalid(
        'instance.reserved_ip_range',
        given,
        `reserved_ip_range must be a /${prefix} CIDR block, for example 10.0.0.0/${prefix}.`,
      );
    }
    const conflict = ctx.networks.conflictWith(projectId, network, range);
    if (conflict) {
      const holder =
        conflict.kind === 'subnetwork' ? `subnetwork '${conflict.name}' in region '${conflict.region}'` : `'${conflict.owner}'`;
      throw invalid('instance.reserved_ip_range', given, `reserved_ip_range ${given} overlaps with ${holder} (${conflict.range}).`);
    }
    return given;
  }
  const allocated = ctx.networks.allocateRange(projectId, network, prefix, name);
  if (!allocated) throw new ApiError('RESOURCE_EXHAUSTED', `No free /${prefix} range left in network ${network}.`);
  return allocated;
}

function nodesOf(place: Placement, count: number): JsonObject[] {
  const zones = [place.locationId, place.alternativeLocationId ?? place.locationId];
  return Array.from({ length: count }, (_, index) => ({ id: `node-${index}`, zone: zones[index % 2] }));
}

const ECHOED = [
  'displayName',
  'labels',
  'redisConfigs',
  'customerManagedKey',
  'maintenancePolicy',
  'maintenanceVersion',
  'secondaryIpRange',
];

function buildInstance(
  name: string,
  instanceId: string,
  request: JsonObject,
  projectId: string,
  region: string,
  ctx: CallContext,
): RedisInstanceRecord {
  if (!ID.test(instanceId)) {
    throw invalid(
      'instance_id',
      instanceId,
      'Instance ID must contain only lowercase letters, numbers and hyphens, start with a letter, end with a letter or number, and be 1-40 characters long.',
    );
  }
  const tier = jsonText(request.tier);
  if (tier !== 'BASIC' && tier !== 'STANDARD_HA') throw invalid('instance.tier', tier, 'The tier must be BASIC or STANDARD_HA.');
  const { readReplicas, replicaCount } = checkSizing(request, tier);
  const version = jsonText(request.redisVersion, DEFAULT_REDIS_VERSION);
  if (!REDIS_VERSIONS.includes(version)) throw invalid('instance.redis_version', version, `Unsupported Redis version ${version}.`);
  checkRedisConfigs(request.redisConfigs);
  const place = placement(request, region, tier === 'STANDARD_HA');
  const connectMode = jsonText(request.connectMode, 'DIRECT_PEERING');
  const network = authorizedNetwork(request, projectId, ctx);
  const tls = request.transitEncryptionMode === 'SERVER_AUTHENTICATION';
  const range = reservedRange(request, name, projectId, network.name, readReplicas ? 28 : 29, ctx);
  const base = parseCidr(range);
  const project = ctx.projects.find(projectId)!;

  const instance: JsonObject = { name };
  for (const key of ECHOED) if (request[key] !== undefined) instance[key] = cloneJson(request[key]);
  Object.assign(instance, {
    locationId: place.locationId,
    ...(place.alternativeLocationId ? { alternativeLocationId: place.alternativeLocationId } : {}),
    redisVersion: version,
    reservedIpRange: connectMode === 'PRIVATE_SERVICE_ACCESS' && request.reservedIpRange ? request.reservedIpRange : range,
    host: base ? addressAt(base, 3) : range,
    port: tls ? TLS_PORT : PORT,
    currentLocationId: place.locationId,
    createTime: new Date(ctx.now).toISOString(),
    tier,
    memorySizeGb: request.memorySizeGb!,
    authorizedNetwork: network.reference,
    persistenceIamIdentity: `serviceAccount:service-${project.projectNumber}@cloud-redis.iam.gserviceaccount.com`,
    connectMode,
    ...(request.authEnabled === true ? { authEnabled: true } : {}),
    ...(tls ? { serverCaCerts: [newServerCaCertificate(ctx.now) as unknown as JsonObject] } : {}),
    transitEncryptionMode: tls ? 'SERVER_AUTHENTICATION' : 'DISABLED',
    ...(replicaCount > 0 ? { replicaCount } : {}),
    nodes: nodesOf(place, replicaCount + 1),
    ...(readReplicas && base ? { readEndpoint: addressAt(base, 4), readEndpointPort: tls ? TLS_PORT : PORT } : {}),
    readReplicasMode: readReplicas ? 'READ_REPLICAS_ENABLED' : 'READ_REPLICAS_DISABLED',
    persistenceConfig: { persistenceMode: 'DISABLED', ...(isJsonObject(request.persistenceConfig) ? request.persistenceConfig : {}) },
  });
  return {
    name,
    projectId,
    location: region,
    instance,
    state: 'CREATING',
    network: network.name,
    ...(request.authEnabled === true ? { authString: randomUUID() } : {}),
  };
}

// -------------------------------------------------------------------------------------------
// Rendering and operations

export function renderInstance(record: RedisInstanceRecord): JsonObject {
  const { instance } = record;
  const json: JsonObject = {};
  for (const [key, value] of Object.entries(instance)) {
    json[key] = value;
    if (key === 'createTime') json.state = record.state;
  }
  return json;
}

function operationName(record: RedisInstanceRecord, now: number): string {
  const hex = randomBytes(16).toString('hex');
  return `projects/${record.projectId}/locations/${record.location}/operations/operation-${now}-${hex.slice(0, 13)}-${hex.slice(13, 21)}-${hex.slice(21, 29)}`;
}

function metadata(record: RedisInstanceRecord, verb: string, createTime: string, endTime?: string): JsonObject {
  return {
    '@type': typeUrlOf(METADATA_TYPE),
    createTime,
    ...(endTime ? { endTime } : {}),
    target: record.name,
    verb,
    apiVersion: 'v1',
  };
}

function startOperation(ctx: CallContext, record: RedisInstanceRecord, verb: 'create' | 'update' | 'delete'): JsonObject {
  const createTime = new Date(ctx.now).toISOString();
  const operation = ctx.operations.start({
    name: operationName(record, ctx.now),
    api: API,
    metadata: metadata(record, verb, createTime),
    completion: { action: `${verb}Instance`, payload: { name: record.name, createTime } },
  });
  return ctx.operations.toJson(operation);
}

function requireReady(record: RedisInstanceRecord): void {
  if (record.state !== 'READY') {
    throw new ApiError(
      'FAILED_PRECONDITION',
      `Instance ${record.name} is in state ${record.state}; wait for its current operation to finish and try again.`,
    );
  }
}

/** update_mask paths (snake_case or camelCase) → the changed fields, checked like a create. */
function updateChanges(record: RedisInstanceRecord, instance: JsonObject, mask: string): JsonObject {
  const paths = mask
    .split(',')
    .map((path) => camelCase(path.trim()))
    .filter(Boolean)
    .map((path) => (path === 'redisConfig' ? 'redisConfigs' : path));
  if (paths.length === 0) throw invalid('update_mask', '', 'update_mask must list at least one field.');
  const changes: JsonObject = {};
  for (const path of paths) {
    if (!UPDATABLE.includes(path)) throw invalid('update_mask', path, `Field ${path} cannot be updated.`);
    changes[path] = instance[path] ?? null;
  }
  const merged = { ...record.instance, ...changes };
  checkSizing(merged, jsonText(record.instance.tier));
  checkRedisConfigs(changes.redisConfigs ?? undefined);
  return changes;
}

function applyChanges(record: RedisInstanceRecord, changes: JsonObject): void {
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'authEnabled') {
      if (value === true && record.instance.authEnabled !== true) record.authString = randomUUID();
      if (value !== true) delete record.authString;
    }
    if (value === null || value === false || value === '') delete record.instance[key];
    else record.instance[key] = value;
  }
}

// -------------------------------------------------------------------------------------------
// The API

/** Fields only a Redis instance has: a create body with one of them is Memorystore's, not Filestore's. */
const REDIS_ONLY_FIELDS = ['memorySizeGb', 'memory_size_gb', 'authorizedNetwork', 'authorized_network', 'redisVersion', 'redis_version'];

/** Memorystore shares its REST paths with Filestore (different hosts at Google): the requests that are Memorystore's. */
function claimsRestRequest(request: SharedRestRequest, services: EmulatorServices): boolean {
  const name = request.pathBindings.name ?? request.pathBindings['instance.name'];
  if (name) return instanceExists(name, services);
  return request.verb === 'POST' && isJsonObject(request.body) && REDIS_ONLY_FIELDS.some((field) => field in (request.body as JsonObject));
}

function instanceExists(name: string, services: EmulatorServices): boolean {
  try {
    findInstance(name, services);
    return true;
  } catch {
    return false;
  }
}

export const redisApi = defineApi({
  service: API,
  title: 'Google Cloud Memorystore for Redis API',
  protoPackage: '@google-cloud/redis',
  grpcServices: [SERVICE],
  operationPaths: ['/v1/{name=projects/*/locations/*/operations/*}'],
  claimsRestRequest,

  methods: {
    [`${SERVICE}/CreateInstance`]: method<{ parent: string; instanceId?: string; instance?: JsonObject }>({
      permission: 'redis.instances.create',
      resource: (request) => `${request.parent}/instances/${request.instanceId ?? ''}`,
      handle(request, ctx) {
        const { projectId, location } = parseParent(request.parent, ctx);
        const instanceId = request.instanceId ?? '';
        const name = `projects/${projectId}/locations/${location}/instances/${instanceId}`;
        if (instancesOf(ctx).has(name)) throw new ApiError('ALREADY_EXISTS', `Resource '${name}' already exists`, [resourceInfo(name)]);
        const record = buildInstance(name, instanceId, request.instance ?? {}, projectId, location, ctx);
        instancesOf(ctx).set(name, record);
        ctx.networks.reserveRange({ owner: name, projectId, network: record.network, range: jsonText(record.instance.reservedIpRange) });
        return startOperation(ctx, record, 'create');
      },
    }),

    [`${SERVICE}/GetInstance`]: method<{ name: string }>({
      permission: 'redis.instances.get',
      resource: (request) => request.name,
      handle: (request, ctx) => renderInstance(findInstance(request.name, ctx)),
    }),

    [`${SERVICE}/ListInstances`]: method<{ parent: string; pageSize?: number; pageToken?: string }>({
      permission: 'redis.instances.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const { projectId, location } = parseParent(request.parent, ctx, true);
        const listed = instancesOf(ctx)
          .values()
          .filter((record) => record.projectId === projectId && (location === '-' || record.location === location))
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 1000, maxSize: 1000 });
        return { instances: page.items.map(renderInstance), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
      },
    }),

    [`${SERVICE}/GetInstanceAuthString`]: method<{ name: string }>({
      permission: 'redis.instances.getAuthString',
      resource: (request) => request.name,
      // Empty when AUTH is disabled (the RPC's documentation).
      handle: (request, ctx): JsonObject => {
        const record = findInstance(request.name, ctx);
        return record.authString ? { authString: record.authString } : {};
      },
    }),

    [`${SERVICE}/UpdateInstance`]: method<{ instance?: JsonObject; updateMask?: string }>({
      permission: 'redis.instances.update',
      resource: (request) => jsonText(request.instance?.name),
      handle(request, ctx) {
        const record = findInstance(jsonText(request.instance?.name), ctx);
        requireReady(record);
        record.pending = updateChanges(record, request.instance ?? {}, request.updateMask ?? '');
        record.state = 'UPDATING';
        instancesOf(ctx).set(record.name, record);
        return startOperation(ctx, record, 'update');
      },
    }),

    [`${SERVICE}/DeleteInstance`]: method<{ name: string }>({
      permission: 'redis.instances.delete',
      resource: (request) => request.name,
      handle(request, ctx) {
        const record = findInstance(request.name, ctx);
        requireReady(record);
        record.state = 'DELETING';
        instancesOf(ctx).set(record.name, record);
        return startOperation(ctx, record, 'delete');
      },
    }),
  },

  operationCompleters: {
    createInstance(payload, services) {
      const { name, createTime } = payload as { name: string; createTime: string };
      const record = instancesOf(services).get(name);
      if (!record) throw notFound(name);
      record.state = 'READY';
      instancesOf(services).set(name, record);
      return done(record, 'create', createTime);
    },
    updateInstance(payload, services) {
      const { name, createTime } = payload as { name: string; createTime: string };
      const record = instancesOf(services).get(name);
      if (!record) throw notFound(name);
      applyChanges(record, record.pending ?? {});
      delete record.pending;
      record.state = 'READY';
      instancesOf(services).set(name, record);
      return done(record, 'update', createTime);
    },
    deleteInstance(payload, services) {
      const { name, createTime } = payload as { name: string; createTime: string };
      const record = instancesOf(services).get(name);
      if (!record) throw notFound(name);
      instancesOf(services).delete(name);
      services.networks.releaseRange(name);
      return {
        metadata: metadata(record, 'delete', createTime, new Date().toISOString()),
        response: { '@type': typeUrlOf('google.protobuf.Empty'), value: {} },
      };
    },
  },
});

function done(record: RedisInstanceRecord, verb: string, createTime: string): { metadata: JsonObject; response: JsonObject } {
  return {
    metadata: metadata(record, verb, createTime, new Date().toISOString()),
    response: { '@type': typeUrlOf(INSTANCE_TYPE), ...renderInstance(record) },
  };
}
