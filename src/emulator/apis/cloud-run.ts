// Cloud Run Admin API v2 (google.cloud.run.v2.Services and .Revisions) and, in
// cloud-run-domains.ts, the v1 domain mappings. Shapes and the operation model follow Google's
// real answers (go-vcr cassettes and logs recorded against Cloud Run by Kubernetes Config
// Connector; see test/emulator/recordings/README.md and "Cloud Run" in src/emulator/README.md):
//
// - Create/Update/Delete answer a long-running operation at once. Its metadata is the Service as
//   accepted: a create is `terminalCondition {state: CONDITION_PENDING}`, `reconciling: true`;
//   an update or delete keeps the serving state (`observedGeneration`, `conditions`,
//   `latestReadyRevision`, `uri`) with the Ready condition PENDING; a delete bumps the generation
//   and carries `deleteTime`/`expireTime` (+30 days).
// - When the operation becomes due (`--operation-delay`), the service is reconciled: the new
//   revision becomes Ready only if its images are pullable, its service account exists and every
//   secret version it reads exists, is enabled and is readable by that account
//   (cloud-run-readiness.ts). The finished operation's metadata and response are the final
//   service. Failure: the revision and the service carry CONDITION_FAILED with Google's message,
//   the serving state stays, and the operation ends with `error` {code 13, that message} — what
//   Cloud Run's v2 operations do (e.g. Terraform: "Error waiting for Creating Service: Error
//   code 13, message: Revision 'x' is not ready and cannot serve traffic. Image '…' not found.").
import { randomBytes, randomInt, randomUUID, createHash } from 'node:crypto';
import { defineApi, method, type CallContext } from '../core/api.js';
import { permissionDeniedError } from '../core/call-pipeline.js';
import { ApiError } from '../core/errors.js';
import { typeUrlOf } from '../core/json-codec.js';
import { camelCase, cloneJson, isJsonObject, jsonText, type JsonObject, type JsonValue } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';
import type { Collection } from '../core/state.js';
import { imageStatus } from './artifact-registry.js';
import { domainMappingRoutes } from './cloud-run-domains.js';
import { knativeServiceRoutes, type KnativeServiceSource } from './cloud-run-knative.js';
import { readinessProblems } from './cloud-run-readiness.js';
import { checkServiceId, settableFields, throwViolations, validateAndDefault } from './cloud-run-validation.js';
import {
  revisionOutcomeEntries,
  serviceAuditEntry,
  serviceOutcomeEntry,
  type RunServiceRef,
  type ServiceMethod,
} from './logging-entries.js';

export const RUN_API = 'run.googleapis.com';
const SERVICES = 'google.cloud.run.v2.Services';
const REVISIONS = 'google.cloud.run.v2.Revisions';
const SERVICE_TYPE = 'google.cloud.run.v2.Service';
const REVISION_TYPE = 'google.cloud.run.v2.Revision';
export const RUN_SERVICES_COLLECTION = 'run.services';
export const RUN_REVISIONS_COLLECTION = 'run.revisions';

/**
 * The emulated caller, for `creator`/`lastModifier`. The emulator does not know who holds the
 * bearer token (Google would show the principal's email).
 */
export const EMULATED_CALLER = 'user@example.com';

/** Fields the v2 API changes without creating a new generation (metadata, in Knative terms). */
const METADATA_FIELDS = new Set(['labels', 'annotations', 'client', 'clientVersion']);

const LOCATION = /^[a-z]+(-[a-z]+)+[0-9]+$/;
const PARENT = /^projects\/([^/]+)\/locations\/([^/]+)$/;
const SERVICE_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/;
const REVISION_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)\/revisions\/([^/]+)$/;

// -------------------------------------------------------------------------------------------
// Records (plain JSON in the state)

/** google.cloud.run.v2.Condition as proto3 JSON; a just-created service's Ready condition has only `state`. */
interface ConditionRecord extends JsonObject {
  state: string;
}

export interface ServiceRecord {
  projectId: string;
  location: string;
  serviceId: string;
  /** The caller-settable fields, with server defaults applied. */
  spec: JsonObject;
  uid: string;
  generation: number;
  /** 0 until a generation has served. */
  observedGeneration: number;
  createTime: number;
  updateTime: number;
  creator: string;
  lastModifier: string;
  etag: string;
  reconciling: boolean;
  terminalCondition: ConditionRecord;
  conditions: ConditionRecord[];
  /** Set while a delete is in flight (ms since epoch); `expireTime` is 30 days later. */
  deleteTime?: number;
  latestCreatedRevision?: string;
  latestReadyRevision?: string;
  /** Traffic as last served (resolved statuses); absent until a generation has served. */
  servedTraffic?: JsonObject[];
}

export interface RevisionRecord {
  projectId: string;
  location: string;
  serviceId: string;
  revisionId: string;
  uid: string;
  createTime: number;
  updateTime: number;
  /** The template it was made from (defaults applied). */
  template: JsonObject;
  launchStage: string;
  /** The service generation that created it. */
  serviceGeneration: number;
  creator: string;
  etag: string;
  reconciling: boolean;
  conditions: ConditionRecord[];
}

function servicesOf(services: EmulatorServices): Collection<ServiceRecord> {
  return services.store.collection<ServiceRecord>(RUN_SERVICES_COLLECTION);
}

function revisionsOf(services: EmulatorServices): Collection<RevisionRecord> {
  return services.store.collection<RevisionRecord>(RUN_REVISIONS_COLLECTION);
}

function serviceKey(projectId: string, location: string, serviceId: string): string {
  return `projects/${projectId}/locations/${location}/services/${serviceId}`;
}

function revisionKey(record: Pick<RevisionRecord, 'projectId' | 'location' | 'serviceId' | 'revisionId'>): string {
  return `${serviceKey(record.projectId, record.location, record.serviceId)}/revisions/${record.revisionId}`;
}

const keyOfService = (record: ServiceRecord): string => serviceKey(record.projectId, record.location, record.serviceId);

/** Lookup of a Cloud Run service from other emulated APIs (Cloud Logging's container output). */
export function findRunService(
  services: EmulatorServices,
  projectId: string,
  location: string,
  serviceId: string,
): ServiceRecord | undefined {
  return servicesOf(services).get(serviceKey(projectId, location, serviceId));
}

// -------------------------------------------------------------------------------------------
// Names, ids, URLs

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function newRevisionEtag(): string {
  return randomBytes(12).toString('base64');
}

/** A google.protobuf.Timestamp in protobuf wire form (fields 1 seconds, 2 nanos; varints). */
function timestampBytes(ms: number): Buffer {
  const varint = (value: number): number[] => {
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    return bytes;
  };
  // Google's times have microseconds; the random sub-millisecond part keeps etags of changes made within one millisecond apart.
  const nanos = (ms % 1000) * 1_000_000 + randomInt(1_000_000);
  return Buffer.from([0x08, ...varint(Math.floor(ms / 1000)), 0x10, ...varint(nanos)]);
}

/**
 * A service's etag as Google forms it: quoted `BASE64URL(update time as a Timestamp)/BASE64URL(name)`.
 * It changes when `updateTime` does (a spec or metadata change, a delete), not when a
 * reconciliation ends (the recordings show the same etag on the accepted and the finished service).
 */
function serviceEtag(updateTime: number, key: string): string {
  return `"${timestampBytes(updateTime).toString('base64url')}/${Buffer.from(key).toString('base64url')}"`;
}

/** Records a change of the service now: new `updateTime` and etag. */
function touch(record: ServiceRecord, now: number): void {
  record.updateTime = now;
  record.etag = serviceEtag(now, keyOfService(record));
}

const REVISION_SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function revisionSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 3; i++) suffix += REVISION_SUFFIX_ALPHABET[randomInt(REVISION_SUFFIX_ALPHABET.length)];
  return suffix;
}

function requireProject(ctx: EmulatorServices, reference: string): ProjectRecord {
  return ctx.projects.require(reference, RUN_API);
}

function checkLocation(location: string, allowWildcard = false): void {
  if (allowWildcard && location === '-') return;
  if (!LOCATION.test(location)) throw new ApiError('INVALID_ARGUMENT', `Location '${location}' is not a valid Cloud Run region.`);
}

interface ParsedParent {
  project: ProjectRecord;
  location: string;
}

function parseParent(parent: string, ctx: EmulatorServices, allowWildcard = false): ParsedParent {
  const match = PARENT.exec(parent);
  if (!match) throw new ApiError('INVALID_ARGUMENT', `Invalid parent "${parent}": expected projects/{project}/locations/{location}.`);
  checkLocation(match[2], allowWildcard);
  return { project: requireProject(ctx, match[1]), location: match[2] };
}

interface ParsedServiceName extends ParsedParent {
  serviceId: string;
  key: string;
}

function parseServiceName(name: string, ctx: EmulatorServices): ParsedServiceName {
  const match = SERVICE_NAME.exec(name);
  if (!match)
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Invalid service name "${name}": expected projects/{project}/locations/{location}/services/{service}.`,
    );
  checkLocation(match[2]);
  const project = requireProject(ctx, match[1]);
  return { project, location: match[2], serviceId: match[3], key: serviceKey(project.projectId, match[2], match[3]) };
}

/** Google's NOT_FOUND for a service (real recording): the id, region and project as the request named them. */
function serviceNotFound(name: string): ApiError {
  const [, project, region, service] = SERVICE_NAME.exec(name) ?? ['', '', '', name];
  return new ApiError('NOT_FOUND', `Resource '${service}' of kind 'SERVICE' in region '${region}' in project '${project}' does not exist.`);
}

/** The same for a revision (Google's wording for services applied to kind REVISION: not recorded). */
function revisionNotFound(name: string): ApiError {
  const [, project, region, , revision] = REVISION_NAME.exec(name) ?? ['', '', '', '', name];
  return new ApiError(
    'NOT_FOUND',
    `Resource '${revision}' of kind 'REVISION' in region '${region}' in project '${project}' does not exist.`,
  );
}

function findService(name: string, ctx: EmulatorServices): { parsed: ParsedServiceName; record: ServiceRecord } {
  const parsed = parseServiceName(name, ctx);
  const record = servicesOf(ctx).get(parsed.key);
  if (!record) throw serviceNotFound(name);
  return { parsed, record };
}

/** Cloud Run's two-letter region codes of the hash-based `*.a.run.app` URLs. */
const REGION_CODES: Record<string, string> = {
  'asia-east1': 'de',
  'asia-east2': 'df',
  'asia-northeast1': 'an',
  'asia-northeast2': 'dt',
  'asia-northeast3': 'du',
  'asia-south1': 'el',
  'asia-south2': 'em',
  'asia-southeast1': 'as',
  'asia-southeast2': 'et',
  'australia-southeast1': 'ts',
  'australia-southeast2': 'km',
  'europe-central2': 'lm',
  'europe-north1': 'lz',
  'europe-southwest1': 'no',
  'europe-west1': 'ew',
  'europe-west2': 'nw',
  'europe-west3': 'ey',
  'europe-west4': 'ez',
  'europe-west6': 'oa',
  'europe-west8': 'oc',
  'europe-west9': 'od',
  'me-central1': 'ww',
  'me-west1': 'zf',
  'northamerica-northeast1': 'nn',
  'northamerica-northeast2': 'pd',
  'southamerica-east1': 'rj',
  'southamerica-west1': 'tl',
  'us-central1': 'uc',
  'us-east1': 'ue',
  'us-east4': 'uk',
  'us-east5': 'ul',
  'us-south1': 'vp',
  'us-west1': 'uw',
  'us-west2': 'wl',
  'us-west3': 'wm',
  'us-west4': 'wn',
};

function stableLetters(seed: string, length: number): string {
  const digest = createHash('sha256').update(`atlantis-run-emulator:${seed}`).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += REVISION_SUFFIX_ALPHABET[digest[i % digest.length] % REVISION_SUFFIX_ALPHABET.length];
  return out;
}

/** The host label of the hash-based URL: `SERVICE-PROJECTHASH-REGIONCODE` (service name cut to fit 63 characters). */
function hashHostLabel(record: ServiceRecord): string {
  const projectHash = stableLetters(`project-hash:${record.projectId}`, 10);
  const code = REGION_CODES[record.location] ?? stableLetters(`region:${record.location}`, 2);
  const room = 63 - projectHash.length - code.length - 2;
  return `${record.serviceId.slice(0, room).replace(/-+$/, '')}-${projectHash}-${code}`;
}

/** The hash-based URL `https://SERVICE-HASH-RC.a.run.app`: the service's `uri` once it serves. */
function hashUrl(record: ServiceRecord): string {
  return `https://${hashHostLabel(record)}.a.run.app`;
}

/**
 * `urls`: the deterministic `https://SERVICE-PROJECTNUMBER.REGION.run.app` (when
 * `SERVICE-PROJECTNUMBER` fits a 63-character DNS label, Google's rule) from creation on, then the
 * hash-based one once the service serves — as recorded.
 */
export function serviceUrls(record: ServiceRecord, projectNumber: string): string[] {
  const urls: string[] = [];
  const deterministic = `${record.serviceId}-${projectNumber}`;
  if (deterministic.length <= 63) urls.push(`https://${deterministic}.${record.location}.run.app`);
  if (record.servedTraffic) urls.push(hashUrl(record));
  return urls;
}

// -------------------------------------------------------------------------------------------
// Conditions

function condition(type: string, state: string, now: number, extra: JsonObject = {}): ConditionRecord {
  return { type, state, lastTransitionTime: iso(now), ...extra };
}

/** `condition(…)`, keeping the previous transition time when the state does not change (Knative's rule, as recorded). */
function transition(
  previous: ConditionRecord | undefined,
  type: string,
  state: string,
  now: number,
  extra: JsonObject = {},
): ConditionRecord {
  const since = previous?.state === state && typeof previous.lastTransitionTime === 'string' ? previous.lastTransitionTime : iso(now);
  return { type, state, lastTransitionTime: since, ...extra };
}

/**
 * A change was accepted and waits for reconciliation: the Ready condition is PENDING (a new
 * service's has only that state), everything else keeps serving as before.
 */
function pendingConditions(record: ServiceRecord): void {
  record.reconciling = true;
  const previous = record.terminalCondition;
  record.terminalCondition =
    typeof previous?.lastTransitionTime === 'string'
      ? { type: 'Ready', state: 'CONDITION_PENDING', lastTransitionTime: previous.lastTransitionTime }
      : { state: 'CONDITION_PENDING' };
}

// -------------------------------------------------------------------------------------------
// Rendering

function projectNumberOf(services: EmulatorServices, projectId: string): string {
  return services.projects.find(projectId)?.projectNumber ?? '';
}

function revisionName(record: ServiceRecord, revisionId: string): string {
  return `${keyOfService(record)}/revisions/${revisionId}`;
}

/** How long Google keeps a deleted service's name reserved: `expireTime` = `deleteTime` + 30 days (recorded). */
const DELETED_SERVICE_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * google.cloud.run.v2.Service as proto3 JSON. `justCreated`: the accepted service a create's
 * operation carries, where Google leaves out the default `ingress` (every recording shows it so,
 * although the request set it; it appears once the service is reconciled).
 */
function renderService(record: ServiceRecord, services: EmulatorServices, justCreated = false): JsonObject {
  const spec = cloneJson(record.spec);
  const json: JsonObject = { name: keyOfService(record) };
  if (spec.description !== undefined) json.description = spec.description;
  json.uid = record.uid;
  json.generation = String(record.generation);
  for (const field of ['labels', 'annotations'] as const) if (spec[field] !== undefined) json[field] = spec[field]!;
  json.createTime = iso(record.createTime);
  json.updateTime = iso(record.updateTime);
  if (record.deleteTime !== undefined) {
    json.deleteTime = iso(record.deleteTime);
    json.expireTime = iso(record.deleteTime + DELETED_SERVICE_RETENTION_MS);
  }
  json.creator = record.creator;
  json.lastModifier = record.lastModifier;
  for (const [field, value] of Object.entries(spec)) {
    if (field === 'description' || field === 'labels' || field === 'annotations') continue;
    if (justCreated && field === 'ingress' && value === 'INGRESS_TRAFFIC_ALL') continue;
    json[field] = value;
  }
  const urls = spec.defaultUriDisabled === true ? [] : serviceUrls(record, projectNumberOf(services, record.projectId));
  if (urls.length > 0) json.urls = urls;
  if (record.observedGeneration > 0) json.observedGeneration = String(record.observedGeneration);
  json.terminalCondition = cloneJson(record.terminalCondition);
  if (record.conditions.length > 0) json.conditions = cloneJson(record.conditions);
  if (record.latestReadyRevision) json.latestReadyRevision = revisionName(record, record.latestReadyRevision);
  if (record.latestCreatedRevision) json.latestCreatedRevision = revisionName(record, record.latestCreatedRevision);
  if (record.servedTraffic) {
    json.trafficStatuses = cloneJson(record.servedTraffic);
    if (spec.defaultUriDisabled !== true) json.uri = hashUrl(record);
  }
  if (record.reconciling) json.reconciling = true;
  json.etag = record.etag;
  return json;
}

function logUriOf(record: RevisionRecord): string {
  const filter = encodeURIComponent(
    `resource.type="cloud_run_revision"\nresource.labels.service_name="${record.serviceId}"\nresource.labels.revision_name="${record.revisionId}"`,
  );
  return `https://console.cloud.google.com/logs/viewer?project=${record.projectId}&resource=cloud_run_revision/service_name/${record.serviceId}/revision_name/${record.revisionId}&advancedFilter=${filter}`;
}

/** Template fields a Revision carries under the same names. */
const REVISION_TEMPLATE_FIELDS = [
  'scaling',
  'vpcAccess',
  'maxInstanceRequestConcurrency',
  'timeout',
  'serviceAccount',
  'containers',
  'volumes',
  'executionEnvironment',
  'encryptionKey',
  'serviceMesh',
  'encryptionKeyRevocationAction',
  'encryptionKeyShutdownDuration',
  'sessionAffinity',
  'nodeSelector',
  'gpuZonalRedundancyDisabled',
] as const;

function renderRevision(record: RevisionRecord): JsonObject {
  const template = cloneJson(record.template);
  const json: JsonObject = {
    name: revisionKey(record),
    uid: record.uid,
    generation: '1',
    ...(template.labels !== undefined ? { labels: template.labels } : {}),
    ...(template.annotations !== undefined ? { annotations: template.annotations } : {}),
    createTime: iso(record.createTime),
    updateTime: iso(record.updateTime),
    launchStage: record.launchStage,
    service: serviceKey(record.projectId, record.location, record.serviceId),
  };
  for (const field of REVISION_TEMPLATE_FIELDS) if (template[field] !== undefined) json[field] = template[field]!;
  if (record.reconciling) json.reconciling = true;
  json.conditions = cloneJson(record.conditions);
  json.observedGeneration = '1';
  json.logUri = logUriOf(record);
  json.creator = record.creator;
  json.etag = record.etag;
  return json;
}

function anyOf(typeName: string, message: JsonObject): JsonObject {
  return { '@type': typeUrlOf(typeName), ...message };
}

// -------------------------------------------------------------------------------------------
// Canonical comparison

function canonical(value: JsonValue | undefined): string {
  const sort = (node: JsonValue | undefined): JsonValue | undefined => {
    if (Array.isArray(node)) return node.map((item) => sort(item) ?? null);
    if (isJsonObject(node)) {
      const out: JsonObject = {};
      for (const key of Object.keys(node).sort()) {
        const item = sort(node[key]);
        if (item !== undefined) out[key] = item;
      }
      return out;
    }
    return node;
  };
  return JSON.stringify(sort(value) ?? null);
}

function generationFields(spec: JsonObject): JsonObject {
  const fields: JsonObject = {};
  for (const [key, value] of Object.entries(spec)) if (!METADATA_FIELDS.has(key)) fields[key] = value;
  return fields;
}

// -------------------------------------------------------------------------------------------
// Revisions and reconciliation

function newRevision(record: ServiceRecord, ctx: CallContext): RevisionRecord {
  const template = record.spec.template as JsonObject;
  const named = typeof template.revision === 'string' && template.revision !== '' ? template.revision : undefined;
  let revisionId = named ?? `${record.serviceId}-${String(record.generation).padStart(5, '0')}-${revisionSuffix()}`;
  while (!named && revisionsOf(ctx).has(`${keyOfService(record)}/revisions/${revisionId}`)) {
    revisionId = `${record.serviceId}-${String(record.generation).padStart(5, '0')}-${revisionSuffix()}`;
  }
  const revision: RevisionRecord = {
    projectId: record.projectId,
    location: record.location,
    serviceId: record.serviceId,
    revisionId,
    uid: randomUUID(),
    createTime: ctx.now,
    updateTime: ctx.now,
    template: cloneJson(template),
    launchStage: typeof record.spec.launchStage === 'string' ? record.spec.launchStage : 'GA',
    serviceGeneration: record.generation,
    creator: EMULATED_CALLER,
    etag: newRevisionEtag(),
    reconciling: true,
    conditions: [
      condition('Ready', 'CONDITION_RECONCILING', ctx.now),
      condition('ContainerHealthy', 'CONDITION_RECONCILING', ctx.now),
      condition('ResourcesAvailable', 'CONDITION_RECONCILING', ctx.now),
    ],
  };
  revisionsOf(ctx).set(revisionKey(revision), revision);
  return revision;
}

/** A template naming an existing revision must describe that revision exactly (Google: 409 ALREADY_EXISTS otherwise). */
function checkNamedRevision(
  record: Pick<ServiceRecord, 'projectId' | 'location' | 'serviceId'>,
  template: JsonObject,
  ctx: EmulatorServices,
): RevisionRecord | undefined {
  const named = typeof template.revision === 'string' && template.revision !== '' ? template.revision : undefined;
  if (!named) return undefined;
  const existing = revisionsOf(ctx).get(`${serviceKey(record.projectId, record.location, record.serviceId)}/revisions/${named}`);
  if (existing && canonical(existing.template) !== canonical(template)) {
    throw new ApiError('ALREADY_EXISTS', `Revision named '${named}' with different configuration already exists.`);
  }
  return existing;
}

function revisionIsReady(revision: RevisionRecord | undefined): boolean {
  return revision?.conditions.find((item) => item.type === 'Ready')?.state === 'CONDITION_SUCCEEDED';
}

/** Decides the revision's fate now (its deploy operation is done). */
function settleRevision(revision: RevisionRecord, services: EmulatorServices, now: number): void {
  if (!revision.reconciling) return;
  const project = services.projects.find(revision.projectId);
  const problems = readinessProblems(services, {
    projectId: revision.projectId,
    projectNumber: project?.projectNumber ?? '',
    location: revision.location,
    template: revision.template,
  });
  revision.reconciling = false;
  revision.updateTime = now;
  revision.etag = newRevisionEtag();
  if (problems.length === 0) {
    revision.conditions = [
      condition('Ready', 'CONDITION_SUCCEEDED', now),
      condition('ContainerHealthy', 'CONDITION_SUCCEEDED', now),
      condition('ResourcesAvailable', 'CONDITION_SUCCEEDED', now),
    ];
  } else {
    const failure = { message: problems.map((problem) => problem.message).join('\n'), reason: problems[0].reason };
    revision.conditions = [
      condition('Ready', 'CONDITION_FAILED', now, failure),
      condition('ResourcesAvailable', 'CONDITION_FAILED', now, failure),
    ];
  }
  revisionsOf(services).set(revisionKey(revision), revision);
  logRevisionOutcome(revision, services, now);
}

// -------------------------------------------------------------------------------------------
// Cloud Logging: what Cloud Run writes about deploys (logging-entries.ts has the shapes)

function logRefOf(record: Pick<ServiceRecord, 'projectId' | 'location' | 'serviceId'>, services: EmulatorServices): RunServiceRef {
  return { ...record, projectNumber: projectNumberOf(services, record.projectId) };
}

/** `CONTAINER_MISSING` → `ContainerMissing`: the v1 (Knative) reason the system event carries. */
function knativeReason(reason: string): string {
  return reason.toLowerCase().replace(/(^|_)([a-z])/g, (_, __: string, letter: string) => letter.toUpperCase());
}

function logRevisionOutcome(revision: RevisionRecord, services: EmulatorServices, now: number): void {
  const ready = revision.conditions.find((item) => item.type === 'Ready');
  const failed = ready?.state === 'CONDITION_FAILED';
  const containers = (Array.isArray(revision.template.containers) ? revision.template.containers : []).filter(isJsonObject);
  services.logs.write(
    revisionOutcomeEntries(
      logRefOf(revision, services),
      {
        revisionId: revision.revisionId,
        created: revision.serviceGeneration === 1,
        createTime: revision.createTime,
        containers: containers.map((container, index) => {
          const ports = Array.isArray(container.ports) ? container.ports.filter(isJsonObject) : [];
          // A single container without ports listens on 8080 (Cloud Run's default PORT).
          const port = ports.length > 0 ? Number(ports[0].containerPort ?? 8080) : containers.length === 1 ? 8080 : 0;
          const name = typeof container.name === 'string' && container.name ? container.name : `${revision.serviceId}-${index + 1}`;
          return { name, port };
        }),
        ...(failed ? { failure: { reason: knativeReason(jsonText(ready.reason)), message: jsonText(ready.message) } } : {}),
      },
      now,
    ),
    now,
  );
}

function logServiceCall(
  record: ServiceRecord,
  method: ServiceMethod,
  operation: JsonObject,
  services: EmulatorServices,
  now: number,
): JsonObject {
  services.logs.write([serviceAuditEntry(logRefOf(record, services), method, jsonText(operation.name), EMULATED_CALLER, now)], now);
  return operation;
}

function failureMessageOf(revision: RevisionRecord): string {
  return revision.conditions.find((item) => item.type === 'Ready')?.message as string;
}

/** Traffic as it would serve (statuses), or the reason it cannot. */
function resolveTraffic(record: ServiceRecord, services: EmulatorServices): { statuses: JsonObject[] } | { error: string } {
  const spec = Array.isArray(record.spec.traffic) ? record.spec.traffic.filter(isJsonObject) : [];
  const targets: JsonObject[] = spec.length > 0 ? spec : [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];
  const hashLabel = hashHostLabel(record);
  const statuses: JsonObject[] = [];
  for (const target of targets) {
    const status: JsonObject = { type: target.type };
    if (target.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION') {
      const revision = revisionsOf(services).get(revisionName(record, jsonText(target.revision)));
      if (!revision || !revisionIsReady(revision)) {
        return {
          error: `Revision '${jsonText(target.revision)}' does not exist or is deleted. Update all traffic to route to currently available revisions.`,
        };
      }
      status.revision = target.revision;
    }
    // A LATEST target's status names no revision (as recorded): it follows latestReadyRevision.
    if (target.percent) status.percent = target.percent;
    if (target.tag) {
      status.tag = target.tag;
      status.uri = `https://${jsonText(target.tag)}---${hashLabel}.a.run.app`;
    }
    statuses.push(status);
  }
  return { statuses };
}

/** Whether the spec's traffic goes to named revisions only (no LATEST target, which an empty list means). */
function namesOnlyRevisions(record: ServiceRecord): boolean {
  const targets = Array.isArray(record.spec.traffic) ? record.spec.traffic.filter(isJsonObject) : [];
  return targets.length > 0 && targets.every((target) => target.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION');
}

/** Reconciles the service now: settles its latest revision and decides Ready or failed. Idempotent. */
function reconcile(record: ServiceRecord, services: EmulatorServices, now: number): void {
  if (!record.reconciling) return;
  const latest = record.latestCreatedRevision ? revisionsOf(services).get(revisionName(record, record.latestCreatedRevision)) : undefined;
  if (latest) settleRevision(latest, services, now);
  let failure: string | undefined;
  if (latest && !revisionIsReady(latest)) {
    failure = `Revision '${latest.revisionId}' is not ready and cannot serve traffic. ${failureMessageOf(latest)}`;
  }
  const previousReady = record.latestReadyRevision;
  if (!failure && latest) record.latestReadyRevision = latest.revisionId;
  const traffic = failure ? undefined : resolveTraffic(record, services);
  if (traffic && 'error' in traffic) {
    failure = traffic.error;
    record.latestReadyRevision = previousReady;
  }
  record.reconciling = false;
  const previous = (type: string) => record.conditions.find((item) => item.type === type);
  if (!failure && traffic && 'statuses' in traffic) {
    record.observedGeneration = record.generation;
    record.servedTraffic = traffic.statuses;
    record.terminalCondition = condition('Ready', 'CONDITION_SUCCEEDED', now);
    // As recorded: the routes move to the new revision (a new transition), the configuration stays ready.
    record.conditions = [
      condition('RoutesReady', 'CONDITION_SUCCEEDED', now),
      transition(previous('ConfigurationsReady'), 'ConfigurationsReady', 'CONDITION_SUCCEEDED', now),
    ];
  } else {
    const failed = { message: failure!, reason: 'REVISION_FAILED' };
    // Knative reconciles a service's route apart from its configuration: traffic that names only
    // revisions (no LATEST target) moves to them even while the newest revision is failed — a
    // rollback during a failed deploy. The service stays failed (ConfigurationsReady).
    if (latest && !revisionIsReady(latest) && namesOnlyRevisions(record)) {
      const routed = resolveTraffic(record, services);
      if ('statuses' in routed) record.servedTraffic = routed.statuses;
    }
    record.terminalCondition = condition('Ready', 'CONDITION_FAILED', now, failed);
    // The previous Ready revision (if any) keeps serving: routes stay ready on it.
    const routes = record.servedTraffic
      ? transition(previous('RoutesReady'), 'RoutesReady', 'CONDITION_SUCCEEDED', now)
      : condition('RoutesReady', 'CONDITION_FAILED', now, failed);
    record.conditions = [routes, condition('ConfigurationsReady', 'CONDITION_FAILED', now, failed)];
  }
  servicesOf(services).set(keyOfService(record), record);
  // On failure Cloud Run's service event repeats the revision's own message.
  const logged = failure && latest && !revisionIsReady(latest) ? failureMessageOf(latest) : failure;
  services.logs.write([serviceOutcomeEntry(logRefOf(record, services), record.generation === 1, logged, now)], now);
}

function isFailed(record: ServiceRecord): boolean {
  return record.terminalCondition.state === 'CONDITION_FAILED';
}

// -------------------------------------------------------------------------------------------
// Operations

interface ReconcilePayload {
  key: string;
  generation: number;
}

function operationName(projectId: string, location: string): string {
  return `projects/${projectId}/locations/${location}/operations/${randomUUID()}`;
}

/** The operation of an accepted change; its metadata is the service as accepted (`justCreated`: a create's). */
function startServiceOperation(
  ctx: CallContext,
  record: ServiceRecord,
  action: string,
  payload: JsonObject,
  justCreated = false,
): JsonObject {
  const operation = ctx.operations.start({
    name: operationName(record.projectId, record.location),
    api: RUN_API,
    metadata: anyOf(SERVICE_TYPE, renderService(record, ctx, justCreated)),
    completion: { action, payload },
  });
  return ctx.operations.toJson(operation);
}

/** validate_only: an operation that is done at once and answers the service as it would be. */
function validateOnlyOperation(ctx: CallContext, record: ServiceRecord, justCreated = false): JsonObject {
  const operation = ctx.operations.start({
    name: operationName(record.projectId, record.location),
    api: RUN_API,
    metadata: anyOf(SERVICE_TYPE, renderService(record, ctx, justCreated)),
    completion: { action: 'echoService', payload: renderService(record, ctx) },
    delayMs: 0,
  });
  return ctx.operations.toJson(ctx.operations.get(operation.name));
}

/** A finished operation: metadata and response are the final service (as recorded), or the failure. */
function outcomeOf(record: ServiceRecord, services: EmulatorServices): { metadata: JsonObject; response?: JsonObject; error?: ApiError } {
  const final = anyOf(SERVICE_TYPE, renderService(record, services));
  // Cloud Run's v2 operations end with google.rpc.Code 13 and the terminal condition's message.
  if (isFailed(record))
    return { metadata: final, error: new ApiError('INTERNAL', jsonText(record.terminalCondition.message) || 'Revision failed.') };
  return { metadata: final, response: final };
}

// -------------------------------------------------------------------------------------------
// Create / update

function checkInvokerIamPermission(service: JsonObject, ctx: CallContext, resource: string): void {
  // Disabling the invoker check also needs run.services.setIamPolicy (Cloud Run docs, "Allowing public access").
  if (service.invokerIamDisabled === true && ctx.isDenied('run.services.setIamPolicy')) {
    throw permissionDeniedError('run.services.setIamPolicy', resource);
  }
}

/**
 * An image path Cloud Run cannot deploy from at all (not [region.]gcr.io, [region-]docker.pkg.dev
 * or docker.io) is rejected with the request, not by a failed revision (Google answers 400).
 */
function checkImagePaths(spec: JsonObject, ctx: CallContext): void {
  const containers = Array.isArray((spec.template as JsonObject).containers)
    ? ((spec.template as JsonObject).containers as JsonObject[])
    : [];
  const violations = containers.flatMap((container, index) => {
    const status = imageStatus(ctx, jsonText(container.image));
    const unusable = !status.pullable && status.reason && /^(Expected an image path|Invalid image reference)/.test(status.reason);
    return unusable ? [{ field: `template.containers[${index}].image`, description: status.reason! }] : [];
  });
  throwViolations(violations);
}

function checkActAs(spec: JsonObject, ctx: CallContext): void {
  const account = jsonText((spec.template as JsonObject).serviceAccount);
  // Deploying as a service account needs iam.serviceAccounts.actAs on it (Google's wording).
  if (ctx.isDenied('iam.serviceAccounts.actAs')) {
    throw new ApiError(
      'PERMISSION_DENIED',
      `Permission 'iam.serviceaccounts.actAs' denied on service account ${account} (or it may not exist).`,
    );
  }
}

function createRecord(
  parsed: { project: ProjectRecord; location: string; serviceId: string },
  spec: JsonObject,
  ctx: CallContext,
): ServiceRecord {
  const record: ServiceRecord = {
    projectId: parsed.project.projectId,
    location: parsed.location,
    serviceId: parsed.serviceId,
    spec,
    uid: randomUUID(),
    generation: 1,
    observedGeneration: 0,
    createTime: ctx.now,
    updateTime: ctx.now,
    creator: EMULATED_CALLER,
    lastModifier: EMULATED_CALLER,
    etag: '',
    reconciling: true,
    // As recorded: a just-created service's Ready condition is only `{state: CONDITION_PENDING}`.
    terminalCondition: { state: 'CONDITION_PENDING' },
    conditions: [],
  };
  touch(record, ctx.now);
  return record;
}

function createService(
  parsed: { project: ProjectRecord; location: string; serviceId: string },
  service: JsonObject,
  validateOnly: boolean,
  ctx: CallContext,
): JsonObject {
  const key = serviceKey(parsed.project.projectId, parsed.location, parsed.serviceId);
  checkServiceId(parsed.serviceId);
  const spec = validateAndDefault(service, { serviceId: parsed.serviceId, projectNumber: parsed.project.projectNumber });
  checkImagePaths(spec, ctx);
  checkInvokerIamPermission(spec, ctx, key);
  checkActAs(spec, ctx);
  if (servicesOf(ctx).has(key)) throw new ApiError('ALREADY_EXISTS', `Resource '${parsed.serviceId}' already exists.`);
  const record = createRecord(parsed, spec, ctx);
  if (validateOnly) return validateOnlyOperation(ctx, record, true);
  // The operation carries the service as accepted, before its first revision exists (as recorded).
  const operation = startServiceOperation(ctx, record, 'reconcileService', { key, generation: record.generation }, true);
  record.latestCreatedRevision = newRevision(record, ctx).revisionId;
  servicesOf(ctx).set(key, record);
  return logServiceCall(record, 'CreateService', operation, ctx, ctx.now);
}

/** `update_mask` paths (snake_case or camelCase, dotted) → a spec with only those fields taken from the request. */
function applyUpdateMask(current: JsonObject, requested: JsonObject, mask: string): JsonObject {
  const merged = cloneJson(current);
  for (const rawPath of mask
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)) {
    const path = rawPath.split('.').map(camelCase);
    let source: JsonValue | undefined = requested;
    let target: JsonObject = merged;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      source = isJsonObject(source) ? source[segment] : undefined;
      if (last) {
        if (source === undefined) delete target[segment];
        else target[segment] = cloneJson(source);
      } else {
        if (!isJsonObject(target[segment])) target[segment] = {};
        target = target[segment];
      }
    }
  }
  return merged;
}

function updateService(
  request: { service: JsonObject; updateMask?: string; validateOnly?: boolean; allowMissing?: boolean },
  ctx: CallContext,
): JsonObject {
  const name = jsonText(request.service.name);
  const parsed = parseServiceName(name, ctx);
  const current = servicesOf(ctx).get(parsed.key);
  if (!current) {
    if (!request.allowMissing) throw serviceNotFound(name);
    // allow_missing creates, and then needs run.services.create as well (UpdateServiceRequest docs).
    if (ctx.isDenied('run.services.create')) throw permissionDeniedError('run.services.create', parsed.key);
    return createService(parsed, request.service, request.validateOnly === true, ctx);
  }
  const requestedEtag = typeof request.service.etag === 'string' ? request.service.etag : '';
  if (requestedEtag && requestedEtag !== current.etag) {
    throw new ApiError(
      'ABORTED',
      `The etag "${requestedEtag}" does not match the current etag of service "${name}"; the service has been modified. Get the service again and retry the update.`,
    );
  }
  const mask = request.updateMask ?? '';
  const requested = mask ? { ...applyUpdateMask(current.spec, settableFields(request.service), mask) } : request.service;
  const spec = validateAndDefault(requested, { serviceId: parsed.serviceId, projectNumber: parsed.project.projectNumber });
  checkImagePaths(spec, ctx);
  checkInvokerIamPermission(spec, ctx, parsed.key);
  const templateChanged = canonical(spec.template) !== canonical(current.spec.template);
  if (templateChanged) checkActAs(spec, ctx);
  const named = templateChanged ? checkNamedRevision(current, spec.template as JsonObject, ctx) : undefined;
  const specChanged = canonical(spec) !== canonical(current.spec);
  const generationChanged = canonical(generationFields(spec)) !== canonical(generationFields(current.spec));

  const record = cloneJson(current);
  if (specChanged) {
    record.spec = spec;
    record.lastModifier = EMULATED_CALLER;
    touch(record, ctx.now);
  }
  if (generationChanged) {
    record.generation += 1;
    pendingConditions(record);
  }
  if (request.validateOnly) return validateOnlyOperation(ctx, record);
  // The operation carries the service as accepted: still serving, its new revision not made yet (as recorded).
  const operation = startServiceOperation(ctx, record, 'reconcileService', { key: parsed.key, generation: record.generation });
  if (templateChanged) {
    // A named revision that exists with this very configuration becomes the latest again.
    record.latestCreatedRevision = named ? named.revisionId : newRevision(record, ctx).revisionId;
  }
  servicesOf(ctx).set(parsed.key, record);
  return logServiceCall(record, 'UpdateService', operation, ctx, ctx.now);
}

/**
 * A delete, as recorded: the service is marked (`deleteTime`, `expireTime` 30 days on), its
 * generation bumped and its Ready condition PENDING while the operation runs; it is gone once the
 * operation is done, whose metadata and response are the service as it was deleted.
 */
function deleteService(key: string, current: ServiceRecord, validateOnly: boolean, ctx: CallContext): JsonObject {
  const record = cloneJson(current);
  record.generation += 1;
  record.deleteTime = ctx.now;
  touch(record, ctx.now);
  pendingConditions(record);
  if (validateOnly) return validateOnlyOperation(ctx, record);
  servicesOf(ctx).set(key, record);
  return startServiceOperation(ctx, record, 'deleteService', { key });
}

/** The delete's operation is done: the service as deleted (reconciled, Ready) is its outcome, and it is removed. */
function completeDelete(key: string, services: EmulatorServices): { metadata: JsonObject; response: JsonObject } {
  const record = servicesOf(services).get(key);
  if (!record) throw serviceNotFound(key);
  const now = Date.now();
  record.reconciling = false;
  record.observedGeneration = record.generation;
  record.terminalCondition = condition('Ready', 'CONDITION_SUCCEEDED', now);
  touch(record, now);
  const final = anyOf(SERVICE_TYPE, renderService(record, services));
  servicesOf(services).delete(key);
  for (const [revisionKeyText] of revisionsOf(services).entries()) {
    if (revisionKeyText.startsWith(`${key}/revisions/`)) revisionsOf(services).delete(revisionKeyText);
  }
  delete services.store.data.iamPolicies[key];
  services.store.markDirty();
  return { metadata: final, response: final };
}

/** The v2 services as the v1 (Knative) view in cloud-run-knative.ts reads and deletes them. */
const knativeSource: KnativeServiceSource = {
  list: (services, projectId, region) =>
    servicesOf(services)
      .values()
      .filter((record) => record.projectId === projectId && (region === '-' || record.location === region))
      .sort((a, b) => a.location.localeCompare(b.location) || a.serviceId.localeCompare(b.serviceId))
      .map((record) => renderService(record, services)),
  get(services, projectId, region, serviceId) {
    const record = servicesOf(services).get(serviceKey(projectId, region, serviceId));
    return record ? renderService(record, services) : undefined;
  },
  remove(ctx, projectId, region, serviceId) {
    const key = serviceKey(projectId, region, serviceId);
    deleteService(key, servicesOf(ctx).get(key)!, false, ctx);
    return renderService(servicesOf(ctx).get(key)!, ctx);
  },
};

// -------------------------------------------------------------------------------------------
// IAM on services

function iamRoutes() {
  const resourceOf = (request: { resource: string }) => request.resource;
  const policyKeyOf = (resource: string, ctx: CallContext): string => {
    const { record } = findService(resource, ctx);
    return keyOfService(record);
  };
  return {
    [`${SERVICES}/GetIamPolicy`]: method<{ resource: string }>({
      permission: 'run.services.getIamPolicy',
      resource: resourceOf,
      handle: (request, ctx) => ctx.iamPolicies.get(policyKeyOf(request.resource, ctx)),
    }),
    [`${SERVICES}/SetIamPolicy`]: method<{ resource: string; policy?: JsonObject; updateMask?: string }>({
      permission: 'run.services.setIamPolicy',
      resource: resourceOf,
      handle: (request, ctx) => ctx.iamPolicies.set(policyKeyOf(request.resource, ctx), request.policy, request.updateMask, ctx.now),
    }),
    [`${SERVICES}/TestIamPermissions`]: method<{ resource: string; permissions?: string[] }>({
      resource: resourceOf,
      handle(request, ctx) {
        policyKeyOf(request.resource, ctx);
        return { permissions: ctx.iamPolicies.testPermissions(request.permissions ?? []) };
      },
    }),
  };
}

// -------------------------------------------------------------------------------------------
// Revisions

function parseRevisionName(name: string, ctx: EmulatorServices): { key: string; serviceKey: string } {
  const match = REVISION_NAME.exec(name);
  if (!match)
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Invalid revision name "${name}": expected projects/{project}/locations/{location}/services/{service}/revisions/{revision}.`,
    );
  checkLocation(match[2]);
  const project = requireProject(ctx, match[1]);
  const owner = serviceKey(project.projectId, match[2], match[3]);
  return { key: `${owner}/revisions/${match[4]}`, serviceKey: owner };
}

function findRevision(name: string, ctx: EmulatorServices): RevisionRecord {
  const { key } = parseRevisionName(name, ctx);
  const revision = revisionsOf(ctx).get(key);
  if (!revision) throw revisionNotFound(name);
  return revision;
}

// -------------------------------------------------------------------------------------------

export const cloudRunApi = defineApi({
  service: RUN_API,
  title: 'Cloud Run Admin API',
  shortName: 'run',
  protoPackage: '@google-cloud/run',
  grpcServices: [SERVICES, REVISIONS],
  operationPaths: ['/v2/{name=projects/*/locations/*/operations/*}'],
  operationWaitPaths: ['/v2/{name=projects/*/locations/*/operations/*}:wait'],
  operationListPaths: ['/v2/{name=projects/*/locations/*}/operations'],

  methods: {
    [`${SERVICES}/CreateService`]: method<{ parent: string; service?: JsonObject; serviceId?: string; validateOnly?: boolean }>({
      permission: 'run.services.create',
      alsoChecks: ['run.services.setIamPolicy', 'iam.serviceAccounts.actAs'],
      resource: (request) => `${request.parent}/services/${request.serviceId ?? ''}`,
      handle(request, ctx) {
        const parent = parseParent(request.parent, ctx);
        const service = request.service ?? {};
        if (typeof service.name === 'string' && service.name !== '') {
          throwViolations([
            { field: 'service.name', description: 'must be empty on create: the service name comes from parent and service_id.' },
          ]);
        }
        return createService({ ...parent, serviceId: request.serviceId ?? '' }, service, request.validateOnly === true, ctx);
      },
    }),

    [`${SERVICES}/GetService`]: method<{ name: string }>({
      permission: 'run.services.get',
      resource: (request) => request.name,
      handle: (request, ctx) => renderService(findService(request.name, ctx).record, ctx),
    }),

    [`${SERVICES}/ListServices`]: method<{ parent: string; pageSize?: number; pageToken?: string }>({
      permission: 'run.services.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const { project, location } = parseParent(request.parent, ctx, true);
        const listed = servicesOf(ctx)
          .values()
          .filter((record) => record.projectId === project.projectId && (location === '-' || record.location === location))
          .sort((a, b) => keyOfService(a).localeCompare(keyOfService(b)));
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
        return {
          services: page.items.map((record) => renderService(record, ctx)),
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        };
      },
    }),

    [`${SERVICES}/UpdateService`]: method<{ service?: JsonObject; updateMask?: string; validateOnly?: boolean; allowMissing?: boolean }>({
      permission: 'run.services.update',
      // allow_missing creates, which also needs run.services.create.
      alsoChecks: ['run.services.setIamPolicy', 'iam.serviceAccounts.actAs', 'run.services.create'],
      resource: (request) => jsonText(request.service?.name),
      handle(request, ctx) {
        if (!request.service) throwViolations([{ field: 'service', description: 'Required field is missing.' }]);
        return updateService({ ...request, service: request.service! }, ctx);
      },
    }),

    [`${SERVICES}/DeleteService`]: method<{ name: string; validateOnly?: boolean; etag?: string }>({
      permission: 'run.services.delete',
      resource: (request) => request.name,
      handle(request, ctx) {
        const { parsed, record } = findService(request.name, ctx);
        if (request.etag && request.etag !== record.etag) {
          throw new ApiError(
            'ABORTED',
            `The etag "${request.etag}" does not match the current etag of service "${request.name}"; the service has been modified. Get the service again and retry the delete.`,
          );
        }
        const operation = deleteService(parsed.key, record, request.validateOnly === true, ctx);
        return request.validateOnly ? operation : logServiceCall(record, 'DeleteService', operation, ctx, ctx.now);
      },
    }),

    ...iamRoutes(),

    [`${REVISIONS}/GetRevision`]: method<{ name: string }>({
      permission: 'run.revisions.get',
      resource: (request) => request.name,
      handle: (request, ctx) => renderRevision(findRevision(request.name, ctx)),
    }),

    [`${REVISIONS}/ListRevisions`]: method<{ parent: string; pageSize?: number; pageToken?: string }>({
      permission: 'run.revisions.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const { record } = findService(request.parent, ctx);
        const owner = keyOfService(record);
        // Newest first, as Google lists revisions.
        const listed = revisionsOf(ctx)
          .values()
          .filter((revision) => serviceKey(revision.projectId, revision.location, revision.serviceId) === owner)
          .sort((a, b) => b.createTime - a.createTime || b.revisionId.localeCompare(a.revisionId));
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
        return {
          revisions: page.items.map(renderRevision),
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        };
      },
    }),

    [`${REVISIONS}/DeleteRevision`]: method<{ name: string; validateOnly?: boolean; etag?: string }>({
      permission: 'run.revisions.delete',
      resource: (request) => request.name,
      handle(request, ctx) {
        const revision = findRevision(request.name, ctx);
        const owner = servicesOf(ctx).get(serviceKey(revision.projectId, revision.location, revision.serviceId));
        if (request.etag && request.etag !== revision.etag) {
          throw new ApiError('ABORTED', `The etag "${request.etag}" does not match the current etag of revision "${request.name}".`);
        }
        if (owner) {
          const serving = (owner.servedTraffic ?? []).some((status) => status.revision === revision.revisionId);
          if (owner.latestCreatedRevision === revision.revisionId || owner.latestReadyRevision === revision.revisionId || serving) {
            throw new ApiError(
              'FAILED_PRECONDITION',
              `Revision ${revision.revisionId} cannot be deleted: it is the latest revision of service ${owner.serviceId} or it is serving traffic.`,
            );
          }
        }
        const operation = ctx.operations.start({
          name: operationName(revision.projectId, revision.location),
          api: RUN_API,
          metadata: anyOf(REVISION_TYPE, renderRevision(revision)),
          completion: { action: request.validateOnly ? 'echoRevision' : 'deleteRevision', payload: { key: revisionKey(revision) } },
          ...(request.validateOnly ? { delayMs: 0 } : {}),
        });
        return ctx.operations.toJson(request.validateOnly ? ctx.operations.get(operation.name) : operation);
      },
    }),
  },

  restRoutes: [
    ...domainMappingRoutes((services, projectId, region, name) => servicesOf(services).has(serviceKey(projectId, region, name))),
    ...knativeServiceRoutes(knativeSource),
  ],

  operationCompleters: {
    reconcileService(payload, services) {
      const { key, generation } = payload as unknown as ReconcilePayload;
      const record = servicesOf(services).get(key);
      if (!record) throw serviceNotFound(key);
      const now = Date.now();
      // Revisions made up to this generation settle now, even when a later update superseded them.
      for (const revision of revisionsOf(services).values()) {
        const ownRevision = serviceKey(revision.projectId, revision.location, revision.serviceId) === key;
        if (
          ownRevision &&
          revision.reconciling &&
          revision.serviceGeneration <= generation &&
          revision.revisionId !== record.latestCreatedRevision
        ) {
          settleRevision(revision, services, now);
        }
      }
      // An older operation of a service updated since reports the service as it is now.
      if (record.generation === generation) reconcile(record, services, now);
      return outcomeOf(record, services);
    },
    deleteService(payload, services) {
      return completeDelete((payload as unknown as { key: string }).key, services);
    },
    echoService(payload) {
      return { response: anyOf(SERVICE_TYPE, payload as JsonObject) };
    },
    deleteRevision(payload, services) {
      const { key } = payload as unknown as { key: string };
      const revision = revisionsOf(services).get(key);
      if (!revision) throw revisionNotFound(key);
      revisionsOf(services).delete(key);
      return { response: anyOf(REVISION_TYPE, renderRevision(revision)) };
    },
    echoRevision(payload, services) {
      const { key } = payload as unknown as { key: string };
      const revision = revisionsOf(services).get(key);
      if (!revision) throw revisionNotFound(key);
      return { response: anyOf(REVISION_TYPE, renderRevision(revision)) };
    },
  },
});
