// Request validation and server defaults for Cloud Run Admin API v2 services, as Google applies
// them before accepting a CreateService / UpdateService. Every rule collects a field violation
// (path in the v2 proto's snake_case, as Google's v2 messages name fields); the request fails
// INVALID_ARGUMENT with all of them, messages joined by newlines as Google joins them.
// Wording: where a real rejection text is known (issues, logs, validateOnly conformance tables
// kept by other projects) it is used; other texts are marked "unverified" in the README.
import { ApiError, badRequest } from '../core/errors.js';
import { cloneJson, isJsonObject, jsonText, type JsonObject, type JsonValue } from '../core/json.js';
import { parseNetworkReference, parseSubnetworkReference } from '../core/networks.js';

export interface Violation {
  field: string;
  description: string;
}

/** Throws Google's INVALID_ARGUMENT for the collected violations (no-op when there are none). */
export function throwViolations(violations: Violation[]): void {
  if (violations.length === 0) return;
  const message = violations.map((violation) => `${violation.field}: ${violation.description}`).join('\n');
  throw new ApiError('INVALID_ARGUMENT', message, [badRequest(violations)]);
}

// -------------------------------------------------------------------------------------------
// Kubernetes quantities ("1", "1000m", "0.5", "512Mi", "2Gi", "4G")

const QUANTITY = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const SUFFIX_FACTOR: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A quantity in base units (cores, bytes), or undefined when it does not parse. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * SUFFIX_FACTOR[match[2] ?? ''];
}

const MI = 2 ** 20;
const GI = 2 ** 30;

function formatBytes(bytes: number): string {
  return bytes >= GI && bytes % GI === 0 ? `${bytes / GI}Gi` : `${Math.round(bytes / MI)}Mi`;
}

/** Memory range per CPU (docs "Configure memory limits" / "CPU limits"); fractional CPU handled separately. */
const MEMORY_RANGE_BY_CPU: ReadonlyArray<{ cpu: number; min: number; max: number }> = [
  { cpu: 1, min: 128 * MI, max: 4 * GI },
  { cpu: 2, min: 128 * MI, max: 8 * GI },
  { cpu: 4, min: 2 * GI, max: 16 * GI },
  { cpu: 6, min: 4 * GI, max: 24 * GI },
  { cpu: 8, min: 4 * GI, max: 32 * GI },
];

function memoryRangeFor(cpu: number): { min: number; max: number } | undefined {
  if (cpu < 1) return { min: 128 * MI, max: cpu < 0.5 ? 512 * MI : GI };
  return MEMORY_RANGE_BY_CPU.find((range) => range.cpu === cpu);
}

function formatCpu(cpu: number): string {
  return Number.isInteger(cpu) ? cpu.toFixed(1) : String(cpu);
}

// -------------------------------------------------------------------------------------------
// Names and formats

/** `service_id`: begins with a letter, lowercase letters/digits/hyphens, no trailing hyphen, fewer than 50 characters. */
const SERVICE_ID = /^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/;
/** RFC 1123 label (container names). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const SECRET_NAME = /^projects\/([^/]+)\/secrets\/([A-Za-z0-9_-]{1,255})$/;
const SECRET_VERSION = /^[A-Za-z0-9_-]+$/;
const CONNECTOR = /^projects\/[^/]+\/locations\/[^/]+\/connectors\/[^/]+$/;
const ENV_NAME_MAX = 32768;

/** Names Cloud Run sets itself; a revision may not set them. */
export const RESERVED_ENV_NAMES = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'];

/** Annotation/label namespaces the v2 API rejects ("All system annotations in v1 now have a corresponding field in v2"). */
const SYSTEM_KEY_PREFIXES = [
  'run.googleapis.com/',
  'cloud.googleapis.com/',
  'serving.knative.dev/',
  'autoscaling.knative.dev/',
  'client.knative.dev/',
  'features.knative.dev/',
];

const DISALLOWED_MOUNT_PATHS = ['/', '/dev', '/proc', '/sys'];

export function checkServiceId(serviceId: string): void {
  if (!SERVICE_ID.test(serviceId)) {
    throwViolations([
      {
        field: 'service_id',
        description: `Invalid value "${serviceId}": the service ID must begin with a letter, contain only lowercase letters, digits and hyphens, not end with a hyphen, and be fewer than 50 characters.`,
      },
    ]);
  }
}

/** `secret` of a secret reference: a secret id, or `projects/P/secrets/S`. */
export function parseSecretReference(reference: string): { project?: string; secret: string } | undefined {
  if (SECRET_ID.test(reference)) return { secret: reference };
  const match = SECRET_NAME.exec(reference);
  return match ? { project: match[1], secret: match[2] } : undefined;
}

// -------------------------------------------------------------------------------------------
// Helpers over loosely typed JSON

function objectAt(value: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

function arrayAt(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function stringAt(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function numberAt(value: JsonValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

/** "300s", "1.5s" → seconds. */
export function durationSeconds(value: JsonValue | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(-?\d+(?:\.\d+)?)s$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

function systemKeys(map: JsonValue | undefined): string[] {
  return Object.keys(objectAt(map) ?? {}).filter((key) => SYSTEM_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)));
}

// -------------------------------------------------------------------------------------------
// The service

export interface ServiceContext {
  serviceId: string;
  projectNumber: string;
}

/** Fields of a Service the caller sets (everything else in a request is output-only and ignored, as Google ignores it). */
export const SETTABLE_SERVICE_FIELDS = [
  'description',
  'labels',
  'annotations',
  'client',
  'clientVersion',
  'ingress',
  'launchStage',
  'binaryAuthorization',
  'template',
  'traffic',
  'scaling',
  'invokerIamDisabled',
  'defaultUriDisabled',
  'iapEnabled',
  'multiRegionSettings',
  'customAudiences',
  'buildConfig',
] as const;

/** The caller-settable part of a Service request (output-only fields dropped). */
export function settableFields(service: JsonObject): JsonObject {
  const spec: JsonObject = {};
  for (const field of SETTABLE_SERVICE_FIELDS) {
    const value = service[field];
    if (value !== undefined) spec[field] = cloneJson(value);
  }
  return spec;
}

/** The vCPUs of a container's limits (default 1), or undefined when the value does not parse. */
function containerCpu(container: JsonObject): number | undefined {
  const cpu = objectAt(objectAt(container.resources)?.limits)?.cpu;
  return typeof cpu === 'string' ? parseQuantity(cpu) : 1;
}

function containerMemory(container: JsonObject): number | undefined {
  const memory = objectAt(objectAt(container.resources)?.limits)?.memory;
  return typeof memory === 'string' ? parseQuantity(memory) : 512 * MI;
}

/**
 * Whether CPU is always allocated ("instance-based billing"). `cpu_idle` defaults to true, but
 * "if ResourceRequirements is set, the caller must explicitly set this field to true to preserve
 * the default behavior" (k8s.min.proto) — so resources without `cpuIdle: true` mean always allocated.
 */
function cpuAlwaysAllocated(container: JsonObject): boolean {
  const resources = objectAt(container.resources);
  return resources !== undefined && resources.cpuIdle !== true;
}

/**
 * Validates a Service (the settable fields) and returns it with Google's server defaults filled
 * in, as real recordings show them: container `resources` {limits {cpu: 1000m, memory: 512Mi},
 * cpuIdle: true}, `ports` [{name: http1, containerPort: 8080}] and a TCP startup probe on that
 * port (240 s timeout and period, failure threshold 1), `timeout: 300s`,
 * `maxInstanceRequestConcurrency` (80, or 1 below one vCPU), the default compute service account,
 * service `scaling {maxInstanceCount: 100}`, `launchStage: GA`, `ingress: INGRESS_TRAFFIC_ALL`.
 * `executionEnvironment` stays unset unless sent (Google picks one without saying); `traffic` is
 * not defaulted (an empty `traffic` means 100% to the latest Ready revision).
 */
export function validateAndDefault(service: JsonObject, context: ServiceContext): JsonObject {
  const violations: Violation[] = [];
  const spec = settableFields(service);
  const add = (field: string, description: string) => violations.push({ field, description });

  for (const key of systemKeys(spec.annotations)) {
    add(
      'annotations',
      `Annotation '${key}' is not supported: system annotations are not supported in Cloud Run Admin API v2. All system annotations in v1 now have a corresponding field in v2 Service.`,
    );
  }
  for (const key of systemKeys(spec.labels)) {
    add(
      'labels',
      `Label '${key}' is not supported: labels with run.googleapis.com, cloud.googleapis.com, serving.knative.dev, or autoscaling.knative.dev namespaces are rejected.`,
    );
  }
  if ((typeof spec.description === 'string' ? spec.description : '').length > 512) add('description', 'must be at most 512 characters.');
  const launchStage = stringAt(spec.launchStage);
  if (launchStage && !['ALPHA', 'BETA', 'GA', 'LAUNCH_STAGE_UNSPECIFIED'].includes(launchStage)) {
    add('launch_stage', `Invalid launch stage ${launchStage}: only ALPHA, BETA, GA, or unspecified are supported.`);
  }
  checkServiceScaling(objectAt(spec.scaling), add);

  const template = objectAt(spec.template);
  if (!template) {
    add('template', 'Required field is missing: a service must have a revision template.');
    throwViolations(violations);
    return spec;
  }
  checkTemplate(template, context, add);
  checkTraffic(arrayAt(spec.traffic), add);
  throwViolations(violations);
  return applyDefaults(spec, context);
}

type Add = (field: string, description: string) => void;

function checkServiceScaling(scaling: JsonObject | undefined, add: Add): void {
  if (!scaling) return;
  const min = numberAt(scaling.minInstanceCount);
  const max = numberAt(scaling.maxInstanceCount);
  if (min < 0) add('scaling.min_instance_count', 'must be greater than or equal to zero.');
  if (max < 0) add('scaling.max_instance_count', 'must be greater than or equal to zero.');
  if (max > 0 && max < min) add('scaling.max_instance_count', 'must be greater than or equal to min_instance_count.');
  if (scaling.manualInstanceCount !== undefined && stringAt(scaling.scalingMode) !== 'MANUAL') {
    add('scaling.manual_instance_count', 'scaling mode must be set to MANUAL to set manual_instance_count.');
  }
}

function checkTemplate(template: JsonObject, context: ServiceContext, add: Add): void {
  for (const key of systemKeys(template.annotations)) {
    add(
      'template.annotations',
      `Annotation '${key}' is not supported: system annotations are not supported in Cloud Run Admin API v2. All system annotations in v1 now have a corresponding field in v2 RevisionTemplate.`,
    );
  }
  for (const key of systemKeys(template.labels)) {
    add(
      'template.labels',
      `Label '${key}' is not supported: labels with run.googleapis.com, cloud.googleapis.com, serving.knative.dev, or autoscaling.knative.dev namespaces are rejected.`,
    );
  }
  const revision = stringAt(template.revision);
  if (revision && (!revision.startsWith(`${context.serviceId}-`) || !DNS_LABEL.test(revision))) {
    add(
      'template.revision',
      `Revision name '${revision}' must be prefixed by the name of the enclosing Service with a trailing '-', and be a valid DNS label of at most 63 characters.`,
    );
  }

  const scaling = objectAt(template.scaling);
  if (scaling) {
    const min = numberAt(scaling.minInstanceCount);
    const max = numberAt(scaling.maxInstanceCount);
    if (min < 0) add('template.scaling.min_instance_count', 'must be greater than or equal to zero.');
    if (max < 0) add('template.scaling.max_instance_count', 'must be greater than or equal to zero.');
    if (max > 0 && max < min) add('template.scaling.max_instance_count', 'must be greater than or equal to min_instance_count.');
  }

  const timeout = template.timeout === undefined ? undefined : durationSeconds(template.timeout);
  if (timeout !== undefined && (timeout <= 0 || timeout > 3600)) {
    add('template.timeout', 'Invalid timeout: the timeout must be positive and the maximum allowed time is one hour.');
  }
  const concurrency = numberAt(template.maxInstanceRequestConcurrency);
  if (concurrency < 0 || concurrency > 1000) add('template.max_instance_request_concurrency', 'Must be a number between 0 and 1000.');

  checkVpcAccess(objectAt(template.vpcAccess), add);
  checkNetworkInterfaces(objectAt(template.vpcAccess), add);

  const environment = stringAt(template.executionEnvironment);
  const volumes = arrayAt(template.volumes);
  const volumeNames = new Set<string>();
  volumes.forEach((volume, index) => checkVolume(volume, index, environment, volumeNames, add));

  const containers = arrayAt(template.containers);
  if (containers.length === 0) add('template.containers', 'Invalid template: a revision template must contain at least one container.');
  if (containers.length > 10) add('template.containers', 'Invalid template: a revision template may have at most 10 containers.');
  const containerNames = new Set<string>();
  containers.forEach((container, index) => checkContainer(container, index, containers.length, volumeNames, containerNames, add));
  checkDependencies(containers, add);
  if (containers.length > 1) {
    const serving = containers.filter((container) => arrayAt(container.ports).length > 0);
    if (serving.length !== 1) {
      add(
        'template.containers',
        'Revision template should contain exactly one container with an exposed port; the other containers are sidecars and expose no port.',
      );
    }
  }
  checkCompute(containers, template, add);
}

function checkVpcAccess(vpc: JsonObject | undefined, add: Add): void {
  if (!vpc) return;
  const connector = stringAt(vpc.connector);
  const interfaces = arrayAt(vpc.networkInterfaces);
  if ((connector !== '') === interfaces.length > 0) {
    add('template.vpc_access', 'Invalid VPC access: one and only one of connector and network_interfaces must be set.');
  }
  if (connector && !CONNECTOR.test(connector)) {
    add('template.vpc_access.connector', 'connector: must be in form projects/{project}/locations/{location}/connectors/{connector}.');
  }
  if (interfaces.length > 1) add('template.vpc_access.network_interfaces', 'only 1 network interface is allowed.');
  interfaces.forEach((networkInterface, index) => {
    if (!stringAt(networkInterface.network) && !stringAt(networkInterface.subnetwork)) {
      add(`template.vpc_access.network_interfaces[${index}]`, 'at least one of network or subnetwork should not be empty.');
    }
  });
}

/** Compute network tags: RFC 1035 labels of 1–63 characters. */
const NETWORK_TAG = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Direct VPC egress: the forms a network and a subnetwork may be named in, and the network tags. */
function checkNetworkInterfaces(vpc: JsonObject | undefined, add: Add): void {
  arrayAt(vpc?.networkInterfaces).forEach((networkInterface, index) => {
    const at = `template.vpc_access.network_interfaces[${index}]`;
    const network = stringAt(networkInterface.network);
    if (network && !parseNetworkReference(network, '-', { allowBareName: true })) {
      add(`${at}.network`, `network: must be a network name or projects/{project}/global/networks/{network}, not "${network}".`);
    }
    const subnetwork = stringAt(networkInterface.subnetwork);
    if (subnetwork && !parseSubnetworkReference(subnetwork, '-', '-')) {
      add(
        `${at}.subnetwork`,
        `subnetwork: must be a subnetwork name or projects/{project}/regions/{region}/subnetworks/{subnetwork}, not "${subnetwork}".`,
      );
    }
    const tags: JsonValue[] = Array.isArray(networkInterface.tags) ? networkInterface.tags : [];
    tags.forEach((tag, tagIndex) => {
      if (typeof tag !== 'string' || !NETWORK_TAG.test(tag)) {
        add(
          `${at}.tags[${tagIndex}]`,
          `Invalid network tag ${JSON.stringify(tag)}: tags are 1-63 lowercase letters, digits or hyphens, starting with a letter.`,
        );
      }
    });
  });
}

/** An NFS volume names its server and the absolute path the server exports. */
function checkNfsVolume(volume: JsonObject, at: string, add: Add): void {
  const nfs = objectAt(volume.nfs);
  if (!nfs) return;
  if (!stringAt(nfs.server)) add(`${at}.nfs.server`, 'NFS server must be specified.');
  const path = stringAt(nfs.path);
  if (!path) add(`${at}.nfs.path`, 'NFS path must be specified.');
  else if (!path.startsWith('/')) add(`${at}.nfs.path`, `Invalid NFS path "${path}": must be the absolute path the server exports.`);
}

function isChmodBitmask(value: JsonValue | undefined): boolean {
  if (value === undefined) return true;
  const mode = numberAt(value);
  return Number.isInteger(mode) && mode >= 0 && mode <= 0o777;
}

function checkVolume(volume: JsonObject, index: number, environment: string, names: Set<string>, add: Add): void {
  const at = `template.volumes[${index}]`;
  const name = stringAt(volume.name);
  if (!name) add(`${at}.name`, 'Required field is missing: a volume must have a name.');
  else if (names.has(name)) add(`${at}.name`, `Duplicate volume name "${name}".`);
  names.add(name);

  const secret = objectAt(volume.secret);
  if (secret) {
    const reference = stringAt(secret.secret);
    if (!reference) add(`${at}.secret.secret`, 'Required field is missing: the secret to mount.');
    else if (!parseSecretReference(reference))
      add(`${at}.secret.secret`, 'may only be a secret name or a full resource name projects/{project}/secrets/{secret}.');
    if (!isChmodBitmask(secret.defaultMode))
      add(`${at}.secret.default_mode`, 'default_mode: if present, must be a supported unix chmod bitmask (0 to 0777).');
    arrayAt(secret.items).forEach((item, itemIndex) => {
      const itemAt = `${at}.secret.items[${itemIndex}]`;
      const path = stringAt(item.path);
      if (!path) add(`${itemAt}.path`, 'Required field is missing: the relative path of the secret in the container.');
      else if (path.startsWith('/'))
        add(`${itemAt}.path`, `Invalid path "${path}": must be a relative path of the secret in the container, not an absolute one.`);
      const version = stringAt(item.version);
      if (version && !SECRET_VERSION.test(version))
        add(
          `${itemAt}.version`,
          'items.version: should have only alphanumeric characters, hyphens and underscores (a version number, an alias or "latest").',
        );
      if (!isChmodBitmask(item.mode)) add(`${itemAt}.mode`, 'mode: if present, must be a supported unix chmod bitmask (0 to 0777).');
    });
  }
  const emptyDir = objectAt(volume.emptyDir);
  const sizeLimit = stringAt(emptyDir?.sizeLimit);
  if (sizeLimit && parseQuantity(sizeLimit) === undefined)
    add(`${at}.empty_dir.size_limit`, `size_limit: Could not parse Quantity "${sizeLimit}".`);
  const gcs = objectAt(volume.gcs);
  if (gcs) checkGcsVolume(gcs, at, add);
  checkNfsVolume(volume, at, add);
  const kind = objectAt(volume.nfs) ? 'NFS' : gcs ? 'Cloud Storage' : undefined;
  if (kind && environment === 'EXECUTION_ENVIRONMENT_GEN1') {
    add(at, `${kind} volumes are only supported in the second generation execution environment (EXECUTION_ENVIRONMENT_GEN2).`);
  }
}

/**
 * A Cloud Storage volume: a bucket, and mount options that are gcsfuse flags "specified without the
 * leading --" (GCSVolumeSource.mount_options), one flag or `flag=value` per entry.
 */
function checkGcsVolume(gcs: JsonObject, at: string, add: Add): void {
  if (!stringAt(gcs.bucket)) add(`${at}.gcs.bucket`, 'Bucket name must be specified.');
  const options = Array.isArray(gcs.mountOptions) ? gcs.mountOptions : [];
  options.forEach((option, index) => {
    const where = `${at}.gcs.mount_options[${index}]`;
    const text = typeof option === 'string' ? option : '';
    if (text.trim() === '') add(where, 'Mount options must not be empty.');
    else if (text.startsWith('-'))
      add(where, `Mount option "${text}" must be given without the leading "--" (e.g. "${text.replace(/^-+/, '')}").`);
    else if (/\s/.test(text)) add(where, `Mount option "${text}" must be a single flag or flag=value, without spaces.`);
  });
}

function checkContainer(container: JsonObject, index: number, count: number, volumeNames: Set<string>, names: Set<string>, add: Add): void {
  const at = `template.containers[${index}]`;
  const name = stringAt(container.name);
  if (name) {
    if (!DNS_LABEL.test(name))
      add(
        `${at}.name`,
        `Invalid container name "${name}": must conform to RFC 1123 (lowercase letters, digits and hyphens, at most 63 characters).`,
      );
    if (names.has(name)) add(`${at}.name`, `Revision template has duplicate container names: "${name}".`);
    names.add(name);
  } else if (count > 1) {
    add(`${at}.name`, 'Required field is missing: every container must have a name when a revision has several containers.');
  }
  if (!stringAt(container.image)) add(`${at}.image`, 'Required field is missing: you must provide an image name to deploy.');

  const ports = arrayAt(container.ports);
  if (ports.length > 1) add(`${at}.ports`, 'ports should contain 0 or 1 port.');
  ports.forEach((port, portIndex) => {
    const portName = stringAt(port.name);
    if (portName && portName !== 'http1' && portName !== 'h2c')
      add(`${at}.ports[${portIndex}].name`, `Invalid port name "${portName}": must be one of empty, 'http1' or 'h2c'.`);
    const number = numberAt(port.containerPort);
    if (!Number.isInteger(number) || number < 0 || number > 65535)
      add(`${at}.ports[${portIndex}].container_port`, 'container_port: must be 0 < port < 65536.');
  });

  const env = arrayAt(container.env);
  const reserved = [...new Set(env.map((variable) => stringAt(variable.name)).filter((envName) => RESERVED_ENV_NAMES.includes(envName)))];
  if (reserved.length > 0) {
    add(
      `${at}.env`,
      `The following reserved env names were provided: ${reserved.join(', ')}. These values are automatically set by the system.`,
    );
  }
  env.forEach((variable, envIndex) => {
    const envAt = `${at}.env[${envIndex}]`;
    if (!stringAt(variable.name)) add(`${envAt}.name`, 'Required field is missing: an environment variable must have a name.');
    if (stringAt(variable.value).length > ENV_NAME_MAX) add(`${envAt}.value`, `Invalid value: length cannot exceed ${ENV_NAME_MAX}.`);
    const source = objectAt(variable.valueSource);
    if (variable.valueSource !== undefined) {
      const ref = objectAt(source?.secretKeyRef);
      if (!ref) {
        add(`${envAt}.value_source.secret_key_ref`, 'Required field is missing: a value source must name a secret.');
        return;
      }
      const secret = stringAt(ref.secret);
      if (!secret) add(`${envAt}.value_source.secret_key_ref.secret`, 'Required field is missing: the secret to read.');
      else if (!parseSecretReference(secret))
        add(
          `${envAt}.value_source.secret_key_ref.secret`,
          'secret_key_ref.secret: may only be a secret name or a full resource name projects/{project}/secrets/{secret}.',
        );
      const version = stringAt(ref.version);
      if (!version)
        add(
          `${envAt}.value_source.secret_key_ref.version`,
          'Required field is missing: the secret version ("latest", a version number or an alias).',
        );
      else if (!SECRET_VERSION.test(version))
        add(
          `${envAt}.value_source.secret_key_ref.version`,
          'secret_key_ref.version: should have only alphanumeric characters, hyphens and underscores.',
        );
    }
  });

  const mounts = arrayAt(container.volumeMounts);
  const unknown = mounts.map((mount) => stringAt(mount.name)).filter((mountName) => !volumeNames.has(mountName));
  if (unknown.length > 0) {
    add(
      `${at}.volume_mounts`,
      `The following volume mounts reference volumes [${unknown.join(', ')}] which were not found in volumes list.`,
    );
  }
  mounts.forEach((mount, mountIndex) => {
    const path = stringAt(mount.mountPath);
    const mountAt = `${at}.volume_mounts[${mountIndex}].mount_path`;
    if (!path.startsWith('/') || path.includes(':')) add(mountAt, `Invalid mount path "${path}": must be a valid unix absolute path.`);
    else if (
      DISALLOWED_MOUNT_PATHS.some((disallowed) => path === disallowed || (disallowed !== '/' && path.startsWith(`${disallowed}/`)))
    ) {
      add(mountAt, `Mount path "${path}" and its parents are in one of disallowed mount points: ${DISALLOWED_MOUNT_PATHS.join(', ')}.`);
    }
  });

  for (const probeName of ['livenessProbe', 'startupProbe', 'readinessProbe'] as const) {
    const probe = objectAt(container[probeName]);
    if (!probe) continue;
    const actions = ['httpGet', 'tcpSocket', 'grpc'].filter((action) => probe[action] !== undefined);
    if (actions.length > 1)
      add(`${at}.${probeName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, 'Exactly one probe action must be set.');
  }

  const resources = objectAt(container.resources);
  const limits = objectAt(resources?.limits);
  for (const key of Object.keys(limits ?? {})) {
    if (!['cpu', 'memory', 'nvidia.com/gpu'].includes(key))
      add(`${at}.resources.limits`, `Invalid resource "${key}": only cpu, memory and nvidia.com/gpu limits are supported.`);
  }
  if (typeof limits?.cpu === 'string' && parseQuantity(limits.cpu) === undefined)
    add(`${at}.resources.limits.cpu`, `limits.cpu: Could not parse Quantity "${limits.cpu}".`);
  if (typeof limits?.memory === 'string' && parseQuantity(limits.memory) === undefined)
    add(`${at}.resources.limits.memory`, `limits.memory: Could not parse Quantity "${limits.memory}".`);
}

function checkDependencies(containers: JsonObject[], add: Add): void {
  const names = new Set(containers.map((container) => stringAt(container.name)).filter(Boolean));
  const graph = new Map<string, string[]>();
  containers.forEach((container, index) => {
    const dependsOn = Array.isArray(container.dependsOn) ? container.dependsOn.map((dependency) => jsonText(dependency)) : [];
    for (const dependency of dependsOn) {
      if (!names.has(dependency)) add(`template.containers[${index}].depends_on`, `Container "${dependency}" does not exist.`);
    }
    graph.set(stringAt(container.name), dependsOn);
  });
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (node: string): boolean => {
    if (done.has(node)) return false;
    if (visiting.has(node)) return true;
    visiting.add(node);
    const cyclic = (graph.get(node) ?? []).some(visit);
    visiting.delete(node);
    done.add(node);
    return cyclic;
  };
  if ([...graph.keys()].some(visit)) add('template.containers', 'Invalid container dependencies: dependency cycle detected.');
}

const ALLOWED_WHOLE_CPUS = [1, 2, 4, 6, 8];

function checkCompute(containers: JsonObject[], template: JsonObject, add: Add): void {
  let total = 0;
  let parsed = true;
  containers.forEach((container, index) => {
    const cpu = containerCpu(container);
    const memory = containerMemory(container);
    if (cpu === undefined || memory === undefined) {
      parsed = false;
      return;
    }
    total += cpu;
    const at = `template.containers[${index}].resources.limits`;
    if (!(cpu >= 0.08 && cpu < 1) && !ALLOWED_WHOLE_CPUS.includes(cpu)) {
      add(`${at}.cpu`, `Invalid value specified for cpu. Must be equal to one of [.08-1], 1.0, 2.0, 4.0, 6.0, 8.0.`);
      return;
    }
    const range = memoryRangeFor(cpu);
    if (range && (memory < range.min || memory > range.max)) {
      add(
        `${at}.memory`,
        `Invalid value specified for container memory. For ${formatCpu(cpu)} CPU, memory must be between ${formatBytes(range.min)} and ${formatBytes(range.max)} inclusive.`,
      );
    }
    if (stringAt(template.executionEnvironment) === 'EXECUTION_ENVIRONMENT_GEN2' && memory < 512 * MI) {
      add(
        `${at}.memory`,
        'Invalid value specified for container memory. The second generation execution environment requires at least 512Mi of memory.',
      );
    }
  });
  if (!parsed || containers.length === 0) return;
  if (total < 1) {
    if (containers.some(cpuAlwaysAllocated)) {
      add(
        'template.containers[0].resources.limits.cpu',
        'Invalid value specified for cpu. Total cpu < 1 is not supported with cpu always allocated (set resources.cpu_idle to true, or use at least 1 CPU).',
      );
    }
    if (numberAt(template.maxInstanceRequestConcurrency) > 1) {
      add(
        'template.max_instance_request_concurrency',
        'Invalid value specified for concurrency. Total cpu < 1 is not supported with concurrency > 1.',
      );
    }
  }
}

function checkTraffic(traffic: JsonObject[], add: Add): void {
  if (traffic.length === 0) return;
  let sum = 0;
  const tags = new Set<string>();
  traffic.forEach((target, index) => {
    const at = `traffic[${index}]`;
    const percent = numberAt(target.percent);
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) add(`${at}.percent`, 'percent: must be a number between 0 and 100.');
    sum += percent;
    const type = stringAt(target.type);
    const revision = stringAt(target.revision);
    if (type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' && !revision)
      add(`${at}.revision`, 'revision must be specified if and only if traffic type is TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION.');
    if (type !== 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' && revision)
      add(`${at}.revision`, 'revision must be specified if and only if traffic type is TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION.');
    if (!type || type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED')
      add(`${at}.type`, 'Required field is missing: the traffic target type (LATEST or REVISION).');
    const tag = stringAt(target.tag);
    if (tag) {
      if (tags.has(tag)) add(`${at}.tag`, `Traffic targets may not contain a duplicate tag "${tag}".`);
      tags.add(tag);
    }
  });
  if (sum !== 100) add('traffic', `Traffic target percentages should be 100 in total; they sum to ${sum}.`);
}

// -------------------------------------------------------------------------------------------
// Defaults

/** Google's default startup probe: TCP on the serving port, 240 s timeout and period, one failure (recorded). */
function defaultStartupProbe(port: number): JsonObject {
  return { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port } };
}

/**
 * A container's defaults. `resources` left out entirely → limits and `cpuIdle: true`; resources
 * sent without `cpuIdle` keep CPU always allocated (k8s.min.proto: "if ResourceRequirements is
 * set, the caller must explicitly set this field to true to preserve the default behavior").
 * The serving container (the only one, or the one with a port) gets the http1/8080 port and the
 * TCP startup probe when it has none.
 */
function defaultContainer(container: JsonObject, serving: boolean): void {
  const given = objectAt(container.resources);
  const resources = given ?? { cpuIdle: true };
  const limits = objectAt(resources.limits) ?? {};
  if (limits.cpu === undefined) limits.cpu = '1000m';
  if (limits.memory === undefined) limits.memory = '512Mi';
  resources.limits = limits;
  container.resources = resources;
  if (!serving) return;
  if (arrayAt(container.ports).length === 0) container.ports = [{ name: 'http1', containerPort: 8080 }];
  const port = numberAt(arrayAt(container.ports)[0]?.containerPort) || 8080;
  if (!objectAt(container.startupProbe)) container.startupProbe = defaultStartupProbe(port);
}

function applyDefaults(spec: JsonObject, context: ServiceContext): JsonObject {
  const result = cloneJson(spec);
  if (!result.launchStage || result.launchStage === 'LAUNCH_STAGE_UNSPECIFIED') result.launchStage = 'GA';
  if (!result.ingress || result.ingress === 'INGRESS_TRAFFIC_UNSPECIFIED') result.ingress = 'INGRESS_TRAFFIC_ALL';
  // Recorded (2026): a service sent without `scaling` comes back with a service-wide maximum of 100 instances.
  if (result.scaling === undefined) result.scaling = { maxInstanceCount: 100 };
  const template = result.template as JsonObject;
  const containers = arrayAt(template.containers);
  const servingIndex = containers.length === 1 ? 0 : containers.findIndex((container) => arrayAt(container.ports).length > 0);
  let totalCpu = 0;
  containers.forEach((container, index) => {
    defaultContainer(container, index === servingIndex);
    totalCpu += parseQuantity(jsonText((objectAt(container.resources)?.limits as JsonObject).cpu)) ?? 1;
  });
  if (!template.maxInstanceRequestConcurrency) template.maxInstanceRequestConcurrency = totalCpu >= 1 ? 80 : 1;
  if (!template.timeout) template.timeout = '300s';
  if (!template.serviceAccount) template.serviceAccount = `${context.projectNumber}-compute@developer.gserviceaccount.com`;
  // Unspecified, Cloud Run picks the environment without saying which (recorded), so it stays unset —
  // except for a revision mounting a network file system, which only gen2 supports (emulator choice, see README).
  const environment = jsonText(template.executionEnvironment);
  if ((!environment || environment === 'EXECUTION_ENVIRONMENT_UNSPECIFIED') && mountsNetworkFileSystem(template)) {
    template.executionEnvironment = 'EXECUTION_ENVIRONMENT_GEN2';
  }
  return result;
}

/** Cloud Storage and NFS volumes need the second generation execution environment. */
function mountsNetworkFileSystem(template: JsonObject): boolean {
  return arrayAt(template.volumes).some((volume) => objectAt(volume.gcs) !== undefined || objectAt(volume.nfs) !== undefined);
}
