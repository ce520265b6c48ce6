// Filestore v1 (google.cloud.filestore.v1.CloudFilestoreManager, gRPC + REST): instances created
// and deleted as long-running operations (CREATING → READY, DELETING), with the tiers' capacity
// rules, one file share with NFS export options, and one network whose private range the instance
// holds (services.networks). Shapes as recorded (k8s-config-connector filestore `_http.log` files:
// `google.cloud.common.OperationMetadata`, `networks[].ipAddresses`/`reservedIpRange`).
import { randomBytes } from 'node:crypto';
import { defineApi, method, type CallContext, type SharedRestRequest } from '../core/api.js';
import { isComputeRegion, regionOfZone } from '../core/compute-locations.js';
import { ApiError, badRequest } from '../core/errors.js';
import { addressAt, parseCidr, parseIpv4 } from '../core/ipv4.js';
import { typeUrlOf } from '../core/json-codec.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue, jsonText } from '../core/json.js';
import { parseNetworkReference } from '../core/networks.js';
import { paginate } from '../core/pagination.js';
import type { EmulatorServices } from '../core/services.js';
import type { Collection } from '../core/state.js';

const API = 'file.googleapis.com';
const SERVICE = 'google.cloud.filestore.v1.CloudFilestoreManager';
const INSTANCE_TYPE = 'google.cloud.filestore.v1.Instance';
const METADATA_TYPE = 'google.cloud.common.OperationMetadata';

/**
 * Capacity in GiB per tier (Filestore "Service tiers": Basic HDD 1–63.9 TiB, Basic SSD 2.5–63.9
 * TiB; zonal and regional 1–100 TiB, enterprise 1–10 TiB) and whether the tier lives in a zone.
 */
const TIERS: Readonly<Record<string, { min: number; max: number; zonal: boolean; shareName: number; range: number }>> = {
  BASIC_HDD: { min: 1024, max: 65434, zonal: true, shareName: 16, range: 29 },
  BASIC_SSD: { min: 2560, max: 65434, zonal: true, shareName: 16, range: 29 },
  STANDARD: { min: 1024, max: 65434, zonal: true, shareName: 16, range: 29 },
  PREMIUM: { min: 2560, max: 65434, zonal: true, shareName: 16, range: 29 },
  HIGH_SCALE_SSD: { min: 10240, max: 102400, zonal: true, shareName: 63, range: 24 },
  ZONAL: { min: 1024, max: 102400, zonal: true, shareName: 63, range: 26 },
  REGIONAL: { min: 1024, max: 102400, zonal: false, shareName: 63, range: 26 },
  ENTERPRISE: { min: 1024, max: 10240, zonal: false, shareName: 63, range: 26 },
};
const ID = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_EXPORT_OPTIONS = 10;

type FilestoreState = 'CREATING' | 'READY' | 'DELETING';

export interface FilestoreInstanceRecord {
  name: string;
  projectId: string;
  location: string;
  /** Every field of the instance except `state`. */
  instance: JsonObject;
  state: FilestoreState;
  /** The network holding the instance's range (its name, in the same project). */
  network: string;
}

function instancesOf(services: EmulatorServices): Collection<FilestoreInstanceRecord> {
  return services.store.collection<FilestoreInstanceRecord>('file.instances');
}

function invalid(field: string, message: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field, description: message }])]);
}

function notFound(name: string): ApiError {
  return new ApiError('NOT_FOUND', `Resource '${name}' was not found`);
}

function parseParent(parent: string, ctx: EmulatorServices, allowAll = false): { projectId: string; location: string } {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(parent);
  if (!match) throw new ApiError('INVALID_ARGUMENT', `Invalid parent: "${parent}". Expected projects/{project}/locations/{location}.`);
  const projectId = ctx.projects.require(match[1], API).projectId;
  const location = match[2];
  if (!(allowAll && location === '-') && !isComputeRegion(location) && !regionOfZone(location)) {
    throw new ApiError('NOT_FOUND', `Location "${location}" is not found or access is unauthorized.`);
  }
  return { projectId, location };
}

function findInstance(name: string, ctx: EmulatorServices): FilestoreInstanceRecord {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)\/instances\/([^/]+)$/.exec(name);
  const projectId = match ? ctx.projects.find(match[1])?.projectId : undefined;
  const record = projectId ? instancesOf(ctx).get(`projects/${projectId}/locations/${match![2]}/instances/${match![3]}`) : undefined;
  if (!record) throw notFound(name);
  return record;
}

// -------------------------------------------------------------------------------------------
// Validation

function checkTier(tier: string, location: string): (typeof TIERS)[string] {
  const rules = TIERS[tier];
  if (!rules) throw invalid('instance.tier', `Invalid tier "${tier}": one of ${Object.keys(TIERS).join(', ')} is required.`);
  if (rules.zonal && !regionOfZone(location))
    throw invalid('parent', `Tier ${tier} instances are zonal: the location must be a zone, not "${location}".`);
  if (!rules.zonal && regionOfZone(location))
    throw invalid('parent', `Tier ${tier} instances are regional: the location must be a region, not "${location}".`);
  return rules;
}

function checkExportOptions(options: JsonValue | undefined, at: string): void {
  if (options === undefined) return;
  const list = Array.isArray(options) ? options.filter(isJsonObject) : [];
  if (list.length > MAX_EXPORT_OPTIONS) throw invalid(at, `At most ${MAX_EXPORT_OPTIONS} NFS export options are allowed per file share.`);
  list.forEach((option, index) => {
    const where = `${at}[${index}]`;
    for (const range of Array.isArray(option.ipRanges) ? option.ipRanges : []) {
      const text = jsonText(range);
      if (parseIpv4(text) === undefined && !parseCidr(text))
        throw invalid(`${where}.ip_ranges`, `Invalid IP range "${text}": use an IPv4 address or CIDR range.`);
    }
    const squashed = option.squashMode === 'ROOT_SQUASH';
    if (!squashed && (option.anonUid !== undefined || option.anonGid !== undefined)) {
      throw invalid(`${where}.anon_uid`, 'anon_uid and anon_gid may only be set with squash_mode ROOT_SQUASH.');
    }
  });
}

function checkFileShare(instance: JsonObject, tier: string, rules: (typeof TIERS)[string]): JsonObject {
  const shares = Array.isArray(instance.fileShares) ? instance.fileShares.filter(isJsonObject) : [];
  if (shares.length !== 1) throw invalid('instance.file_shares', 'Exactly one file share is required.');
  const share = shares[0];
  const name = jsonText(share.name);
  if (!new RegExp(`^[a-z][a-z0-9_]{0,${rules.shareName - 1}}$`).test(name)) {
    throw invalid(
      'instance.file_shares[0].name',
      `Invalid file share name "${name}": use 1-${rules.shareName} lowercase letters, numbers or underscores, starting with a letter.`,
    );
  }
  const capacity = Number(share.capacityGb ?? 0);
  if (capacity < rules.min || capacity > rules.max) {
    throw invalid(
      'instance.file_shares[0].capacity_gb',
      `Invalid capacity ${capacity} GB for tier ${tier}: the capacity must be between ${rules.min} GB and ${rules.max} GB.`,
    );
  }
  checkExportOptions(share.nfsExportOptions, 'instance.file_shares[0].nfs_export_options');
  return share;
}

function checkNetwork(
  instance: JsonObject,
  name: string,
  projectId: string,
  rules: (typeof TIERS)[string],
  ctx: EmulatorServices,
): JsonObject {
  const networks = Array.isArray(instance.networks) ? instance.networks.filter(isJsonObject) : [];
  if (networks.length !== 1) throw invalid('instance.networks', 'Exactly one network is required.');
  const config = cloneJson(networks[0]);
  const reference = jsonText(config.network);
  const parsed = parseNetworkReference(reference, projectId, { allowBareName: true });
  const network = parsed && parsed.projectId === projectId ? ctx.networks.network(projectId, parsed.name) : undefined;
  if (!network?.ready) throw invalid('instance.networks[0].network', `Network "${reference}" does not exist in project ${projectId}.`);
  const modes = Array.isArray(config.modes) ? config.modes : [];
  if (modes.some((mode) => mode !== 'MODE_IPV4')) throw invalid('instance.networks[0].modes', 'Only MODE_IPV4 is supported.');
  const given = typeof config.reservedIpRange === 'string' ? config.reservedIpRange : '';
  let range = given;
  if (given && config.connectMode !== 'PRIVATE_SERVICE_ACCESS') {
    const cidr = parseCidr(given);
    if (!cidr || cidr.prefix !== rules.range) {
      throw invalid(
        'instance.networks[0].reserved_ip_range',
        `reserved_ip_range must be a /${rules.range} CIDR block for this tier, for example 10.0.0.0/${rules.range}.`,
      );
    }
    const conflict = ctx.networks.conflictWith(projectId, network.name, cidr);
    if (conflict)
      throw invalid(
        'instance.networks[0].reserved_ip_range',
        `reserved_ip_range ${given} overlaps with ${conflict.kind === 'subnetwork' ? `subnetwork '${conflict.name}'` : `'${conflict.owner}'`} (${conflict.range}).`,
      );
  } else {
    range = ctx.networks.allocateRange(projectId, network.name, rules.range, name) ?? '';
    if (!range) throw new ApiError('RESOURCE_EXHAUSTED', `No free /${rules.range} range left in network ${network.name}.`);
  }
  const cidr = parseCidr(range);
  return {
    ...config,
    network: reference,
    reservedIpRange: given || range,
    ipAddresses: [cidr ? addressAt(cidr, 2) : range],
    __networkName: network.name,
    __range: range,
  };
}

const ECHOED = [
  'description',
  'labels',
  'kmsKeyName',
  'protocol',
  'tags',
  'deletionProtectionEnabled',
  'deletionProtectionReason',
  'performanceConfig',
];

function buildInstance(
  name: string,
  instanceId: string,
  request: JsonObject,
  projectId: string,
  location: string,
  ctx: CallContext,
): FilestoreInstanceRecord {
  if (!ID.test(instanceId)) {
    throw invalid(
      'instance_id',
      `Invalid instance ID "${instanceId}": use 1-63 lowercase letters, numbers or hyphens, starting with a letter and not ending with a hyphen.`,
    );
  }
  const tier = jsonText(request.tier);
  const rules = checkTier(tier, location);
  const share = checkFileShare(request, tier, rules);
  const network = checkNetwork(request, name, projectId, rules, ctx);
  const { __networkName: networkName, __range: range, ...networkConfig } = network;
  ctx.networks.reserveRange({ owner: name, projectId, network: jsonText(networkName), range: jsonText(range) });
  const instance: JsonObject = { name };
  for (const key of ECHOED) if (request[key] !== undefined) instance[key] = cloneJson(request[key]);
  Object.assign(instance, {
    createTime: new Date(ctx.now).toISOString(),
    tier,
    fileShares: [{ ...cloneJson(share), capacityGb: jsonText(share.capacityGb) }],
    networks: [networkConfig],
  });
  return { name, projectId, location, instance, state: 'CREATING', network: jsonText(networkName) };
}

// -------------------------------------------------------------------------------------------
// Rendering and operations

export function renderInstance(record: FilestoreInstanceRecord): JsonObject {
  const json: JsonObject = {};
  for (const [key, value] of Object.entries(record.instance)) {
    if (key === 'createTime') json.state = record.state;
    json[key] = value;
  }
  return json;
}

/** Filestore's recorded operations report `apiVersion: v1beta1`, also for v1 calls. */
function metadata(record: FilestoreInstanceRecord, verb: string, createTime: string, endTime?: string): JsonObject {
  return {
    '@type': typeUrlOf(METADATA_TYPE),
    createTime,
    ...(endTime ? { endTime } : {}),
    target: record.name,
    verb,
    apiVersion: 'v1beta1',
  };
}

function startOperation(ctx: CallContext, record: FilestoreInstanceRecord, verb: 'create' | 'delete'): JsonObject {
  const createTime = new Date(ctx.now).toISOString();
  const hex = randomBytes(16).toString('hex');
  const operation = ctx.operations.start({
    name: `projects/${record.projectId}/locations/${record.location}/operations/operation-${ctx.now}-${hex.slice(0, 13)}-${hex.slice(13, 21)}-${hex.slice(21, 29)}`,
    api: API,
    metadata: metadata(record, verb, createTime),
    completion: { action: `${verb}Instance`, payload: { name: record.name, createTime } },
  });
  return ctx.operations.toJson(operation);
}

/** Fields only a Filestore instance has: a create body with one of them is Filestore's, not Memorystore's. */
const FILESTORE_ONLY_FIELDS = ['fileShares', 'file_shares', 'networks'];

/**
 * Filestore shares its REST paths with Memorystore (different hosts at Google). Its requests: any in
 * a zone (Memorystore locations are regions), an instance it holds, a create with file shares or
 * networks.
 */
function claimsRestRequest(request: SharedRestRequest, services: EmulatorServices): boolean {
  const location = /\/locations\/([^/]+)/.exec(request.path)?.[1];
  if (location !== undefined && regionOfZone(location) !== undefined) return true;
  const name = request.pathBindings.name ?? request.pathBindings['instance.name'];
  if (name) {
    try {
      findInstance(name, services);
      return true;
    } catch {
      return false;
    }
  }
  return (
    request.verb === 'POST' && isJsonObject(request.body) && FILESTORE_ONLY_FIELDS.some((field) => field in (request.body as JsonObject))
  );
}

export const filestoreApi = defineApi({
  service: API,
  title: 'Cloud Filestore API',
  shortName: 'file',
  protoPackage: '@google-cloud/filestore',
  grpcServices: [SERVICE],
  operationPaths: ['/v1/{name=projects/*/locations/*/operations/*}'],
  claimsRestRequest,

  methods: {
    [`${SERVICE}/CreateInstance`]: method<{ parent: string; instanceId?: string; instance?: JsonObject }>({
      permission: 'file.instances.create',
      resource: (request) => `${request.parent}/instances/${request.instanceId ?? ''}`,
      handle(request, ctx) {
        const { projectId, location } = parseParent(request.parent, ctx);
        const instanceId = request.instanceId ?? '';
        const name = `projects/${projectId}/locations/${location}/instances/${instanceId}`;
        if (instancesOf(ctx).has(name)) throw new ApiError('ALREADY_EXISTS', `Resource '${name}' already exists`);
        const record = buildInstance(name, instanceId, request.instance ?? {}, projectId, location, ctx);
        instancesOf(ctx).set(name, record);
        return startOperation(ctx, record, 'create');
      },
    }),

    [`${SERVICE}/GetInstance`]: method<{ name: string }>({
      permission: 'file.instances.get',
      resource: (request) => request.name,
      handle: (request, ctx) => renderInstance(findInstance(request.name, ctx)),
    }),

    [`${SERVICE}/ListInstances`]: method<{ parent: string; pageSize?: number; pageToken?: string }>({
      permission: 'file.instances.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const { projectId, location } = parseParent(request.parent, ctx, true);
        const listed = instancesOf(ctx)
          .values()
          .filter((record) => record.projectId === projectId && (location === '-' || record.location === location))
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
        return { instances: page.items.map(renderInstance), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
      },
    }),

    [`${SERVICE}/DeleteInstance`]: method<{ name: string; force?: boolean }>({
      permission: 'file.instances.delete',
      resource: (request) => request.name,
      handle(request, ctx) {
        const record = findInstance(request.name, ctx);
        if (record.state !== 'READY') {
          throw new ApiError(
            'FAILED_PRECONDITION',
            `Instance ${record.name} is in state ${record.state}; wait for its current operation to finish and try again.`,
          );
        }
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
      return {
        metadata: metadata(record, 'create', createTime, new Date().toISOString()),
        response: { '@type': typeUrlOf(INSTANCE_TYPE), ...renderInstance(record) },
      };
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
