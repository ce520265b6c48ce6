// Compute Engine networks and subnetworks: request validation and Google's JSON shapes. Shapes as
// recorded against Google (k8s-config-connector compute `_http.log` files: `kind`, `id`,
// `creationTimestamp`, `selfLink`/`selfLinkWithId`, `routingConfig.bgpBestPathSelectionMode`,
// subnetwork `gatewayAddress`, `fingerprint`, `purpose`, `stackType`, `state`); error texts from
// recorded and publicly reported Compute errors where known (see the README for which are ours).
import { unknownFieldError } from '../core/errors.js';
import { addressAt, overlaps, parseCidr, type Cidr } from '../core/ipv4.js';
import { isJsonObject, type JsonObject, type JsonValue, jsonText } from '../core/json.js';
import { AUTO_MODE_RANGE } from '../core/compute-locations.js';
import {
  networkKey,
  networkUrl,
  regionUrl,
  stripComputeUrl,
  subnetworkUrl,
  type NetworkDirectory,
  type NetworkRecord,
  type SubnetworkRecord,
} from '../core/networks.js';
import { ComputeError } from './compute-operations.js';

const NAME_PATTERN = '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)';
const NAME = new RegExp(`^${NAME_PATTERN}$`);

// Fields of Network / Subnetwork in google/cloud/compute/v1/compute.proto (@google-cloud/compute 7.8.0).
const NETWORK_INPUT = [
  'autoCreateSubnetworks',
  'description',
  'enableUlaInternalIpv6',
  'internalIpv6Range',
  'mtu',
  'name',
  'networkFirewallPolicyEnforcementOrder',
  'networkProfile',
  'params',
  'routingConfig',
];
const NETWORK_OUTPUT = [
  'IPv4Range',
  'creationTimestamp',
  'firewallPolicy',
  'gatewayIPv4',
  'id',
  'kind',
  'peerings',
  'selfLink',
  'selfLinkWithId',
  'subnetworks',
];
const SUBNETWORK_INPUT = [
  'allowSubnetCidrRoutesOverlap',
  'description',
  'enableFlowLogs',
  'externalIpv6Prefix',
  'ipCidrRange',
  'ipCollection',
  'ipv6AccessType',
  'logConfig',
  'name',
  'network',
  'params',
  'privateIpGoogleAccess',
  'privateIpv6GoogleAccess',
  'purpose',
  'region',
  'reservedInternalRange',
  'role',
  'secondaryIpRanges',
  'stackType',
];
const SUBNETWORK_OUTPUT = [
  'creationTimestamp',
  'fingerprint',
  'gatewayAddress',
  'id',
  'internalIpv6Prefix',
  'ipv6CidrRange',
  'ipv6GceEndpoint',
  'kind',
  'selfLink',
  'state',
  'systemReservedExternalIpv6Ranges',
  'systemReservedInternalIpv6Ranges',
  'utilizationDetails',
];

/** Address blocks Compute never accepts for a subnetwork (VPC docs, "Prohibited IPv4 subnet ranges"). */
const PROHIBITED: Array<[string, Cidr]> = (
  ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32'] as const
).map((text) => [text, parseCidr(text)!]);

export function invalidField(field: string, value: JsonValue | undefined, detail: string): ComputeError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return new ComputeError('INVALID_ARGUMENT', `Invalid value for field '${field}': '${shown}'. ${detail}`, 'invalid');
}

function requiredField(field: string): ComputeError {
  return new ComputeError('INVALID_ARGUMENT', `Required field '${field}' not specified`, 'required');
}

export function notFound(path: string): ComputeError {
  return new ComputeError('NOT_FOUND', `The resource '${path}' was not found`, 'notFound');
}

export function alreadyExists(path: string): ComputeError {
  return new ComputeError('ALREADY_EXISTS', `The resource '${path}' already exists`, 'alreadyExists');
}

function notReady(path: string): ComputeError {
  return new ComputeError('INVALID_ARGUMENT', `The resource '${path}' is not ready`, 'resourceNotReady');
}

/** Only the fields the resource has (output-only ones are accepted and ignored, as Google ignores them). */
function inputFields(body: JsonObject, input: string[], output: string[]): JsonObject {
  const fields: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (input.includes(key)) fields[key] = value;
    else if (!output.includes(key)) throw unknownFieldError(key, 'resource');
  }
  return fields;
}

function checkName(name: JsonValue | undefined): string {
  if (name === undefined || name === '') throw requiredField('resource.name');
  if (typeof name !== 'string' || !NAME.test(name)) throw invalidField('resource.name', name, `Must be a match of regex '${NAME_PATTERN}'`);
  return name;
}

// -------------------------------------------------------------------------------------------
// Networks

/** Validates a networks.insert body; returns the name and the fields to keep. */
export function validateNetwork(body: JsonValue | undefined): { name: string; fields: JsonObject } {
  if (!isJsonObject(body)) throw requiredField('resource');
  const fields = inputFields(body, NETWORK_INPUT, NETWORK_OUTPUT);
  const name = checkName(fields.name);
  delete fields.name;
  if (body.IPv4Range !== undefined) {
    throw invalidField(
      'resource.IPv4Range',
      body.IPv4Range,
      'Legacy networks are not emulated: create a VPC network (autoCreateSubnetworks).',
    );
  }
  if (typeof fields.autoCreateSubnetworks !== 'boolean') {
    throw invalidField(
      'resource.autoCreateSubnetworks',
      fields.autoCreateSubnetworks,
      'Legacy networks are not emulated: set autoCreateSubnetworks to true (auto mode) or false (custom mode).',
    );
  }
  if (fields.mtu !== undefined && (typeof fields.mtu !== 'number' || fields.mtu < 1300 || fields.mtu > 8896)) {
    throw invalidField('resource.mtu', fields.mtu, 'The MTU must be between 1300 and 8896.');
  }
  const routing = fields.routingConfig;
  if (routing !== undefined) {
    if (!isJsonObject(routing)) throw invalidField('resource.routingConfig', routing, 'Must be an object.');
    if (routing.routingMode !== undefined && !['REGIONAL', 'GLOBAL'].includes(jsonText(routing.routingMode))) {
      throw invalidField('resource.routingConfig.routingMode', routing.routingMode, 'Must be one of [GLOBAL, REGIONAL].');
    }
  }
  const order = fields.networkFirewallPolicyEnforcementOrder;
  if (order !== undefined && !['AFTER_CLASSIC_FIREWALL', 'BEFORE_CLASSIC_FIREWALL'].includes(jsonText(order))) {
    throw invalidField(
      'resource.networkFirewallPolicyEnforcementOrder',
      order,
      'Must be one of [AFTER_CLASSIC_FIREWALL, BEFORE_CLASSIC_FIREWALL].',
    );
  }
  return { name, fields };
}

export function renderNetwork(record: NetworkRecord, directory: NetworkDirectory): JsonObject {
  const { fields } = record;
  const json: JsonObject = {
    kind: 'compute#network',
    id: record.id,
    creationTimestamp: record.creationTimestamp,
    name: record.name,
  };
  if (fields.description) json.description = fields.description;
  json.selfLink = networkUrl(record.projectId, record.name);
  json.selfLinkWithId = networkUrl(record.projectId, record.id);
  json.autoCreateSubnetworks = fields.autoCreateSubnetworks ?? false;
  const subnetworks = directory.subnetworks(record.projectId, { network: record.name });
  if (subnetworks.length > 0)
    json.subnetworks = subnetworks.map((subnetwork) => subnetworkUrl(record.projectId, subnetwork.region, subnetwork.name));
  if (isJsonObject(fields.routingConfig)) json.routingConfig = { bgpBestPathSelectionMode: 'LEGACY', ...fields.routingConfig };
  if (fields.mtu !== undefined) json.mtu = fields.mtu;
  for (const key of ['enableUlaInternalIpv6', 'internalIpv6Range', 'networkProfile', 'params']) {
    if (fields[key] !== undefined) json[key] = fields[key];
  }
  json.networkFirewallPolicyEnforcementOrder = fields.networkFirewallPolicyEnforcementOrder ?? 'AFTER_CLASSIC_FIREWALL';
  return json;
}

// -------------------------------------------------------------------------------------------
// Subnetworks

export interface ValidatedSubnetwork {
  name: string;
  network: NetworkRecord;
  ipCidrRange: string;
  fields: JsonObject;
}

/** The network a subnetwork names: a URL or partial URL of an existing, ready network of the same project. */
function subnetworkNetwork(value: JsonValue | undefined, projectId: string, directory: NetworkDirectory): NetworkRecord {
  if (value === undefined || value === '') throw requiredField('resource.network');
  const text = jsonText(value);
  const path = stripComputeUrl(text);
  const match = /^(?:projects\/([^/]+)\/)?global\/networks\/([^/]+)$/.exec(path);
  if (!match) throw invalidField('resource.network', text, 'The URL is malformed.');
  const network = (match[1] ?? projectId) === projectId ? directory.network(projectId, match[2]) : undefined;
  if (!network) throw invalidField('resource.network', text, 'The referenced network resource cannot be found.');
  if (!network.ready) throw notReady(networkKey(projectId, network.name));
  return network;
}

/** ipCidrRange: a canonical IPv4 CIDR between /8 and /29, allowed by VPC rules, overlapping nothing in the network. */
function checkIpCidrRange(value: JsonValue | undefined, network: NetworkRecord, directory: NetworkDirectory): string {
  if (value === undefined || value === '') throw requiredField('resource.ipCidrRange');
  const text = jsonText(value);
  const range = parseCidr(text);
  if (!range) throw invalidField('resource.ipCidrRange', text, `Invalid IPCidrRange: ${text} is not a valid IPv4 CIDR range.`);
  if (range.prefix < 8 || range.prefix > 29) {
    throw invalidField('resource.ipCidrRange', text, `Invalid IPCidrRange: ${text}. The prefix length must be between /8 and /29.`);
  }
  const prohibited = PROHIBITED.find(([, block]) => overlaps(block, range));
  if (prohibited)
    throw invalidField('resource.ipCidrRange', text, `Invalid IPCidrRange: ${text} overlaps with the prohibited range ${prohibited[0]}.`);
  if (network.fields.autoCreateSubnetworks === true && overlaps(parseCidr(AUTO_MODE_RANGE)!, range)) {
    throw invalidField(
      'resource.ipCidrRange',
      text,
      `Extended subnetworks in auto subnet mode networks cannot overlap with ${AUTO_MODE_RANGE}.`,
    );
  }
  const conflict = directory.conflictWith(network.projectId, network.name, range);
  if (conflict?.kind === 'subnetwork') {
    throw invalidField(
      'resource.ipCidrRange',
      text,
      `Invalid IPCidrRange: ${text} conflicts with existing subnetwork '${conflict.name}' in region '${conflict.region}'.`,
    );
  }
  if (conflict) {
    throw invalidField(
      'resource.ipCidrRange',
      text,
      `Invalid IPCidrRange: ${text} conflicts with the peered range ${conflict.range} of '${conflict.owner}'.`,
    );
  }
  return text;
}

function checkSecondaryRanges(value: JsonValue | undefined): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw invalidField('resource.secondaryIpRanges', value, 'Must be a list.');
  value.forEach((entry, index) => {
    const range = isJsonObject(entry) ? entry : {};
    if (typeof range.rangeName !== 'string' || !NAME.test(range.rangeName)) {
      throw invalidField(`resource.secondaryIpRanges[${index}].rangeName`, range.rangeName, `Must be a match of regex '${NAME_PATTERN}'`);
    }
    if (typeof range.ipCidrRange !== 'string' || !parseCidr(range.ipCidrRange)) {
      throw invalidField(`resource.secondaryIpRanges[${index}].ipCidrRange`, range.ipCidrRange, 'Invalid IPCidrRange.');
    }
  });
}

export function validateSubnetwork(
  body: JsonValue | undefined,
  projectId: string,
  region: string,
  directory: NetworkDirectory,
): ValidatedSubnetwork {
  if (!isJsonObject(body)) throw requiredField('resource');
  const fields = inputFields(body, SUBNETWORK_INPUT, SUBNETWORK_OUTPUT);
  const name = checkName(fields.name);
  if (typeof fields.region === 'string' && fields.region.split('/').pop() !== region) {
    throw invalidField('resource.region', fields.region, `The region must be ${region}, the region of the request.`);
  }
  const network = subnetworkNetwork(fields.network, projectId, directory);
  const ipCidrRange = checkIpCidrRange(fields.ipCidrRange, network, directory);
  checkSecondaryRanges(fields.secondaryIpRanges);
  if (fields.purpose !== undefined && fields.purpose !== 'PRIVATE') {
    throw invalidField('resource.purpose', fields.purpose, 'Only PRIVATE subnetworks are emulated.');
  }
  for (const key of ['name', 'network', 'ipCidrRange', 'region']) delete fields[key];
  return { name, network, ipCidrRange, fields };
}

export function renderSubnetwork(record: SubnetworkRecord): JsonObject {
  const { fields } = record;
  const range = parseCidr(record.ipCidrRange)!;
  const json: JsonObject = {
    kind: 'compute#subnetwork',
    id: record.id,
    creationTimestamp: record.creationTimestamp,
    name: record.name,
  };
  if (fields.description) json.description = fields.description;
  json.network = networkUrl(record.projectId, record.network);
  json.ipCidrRange = record.ipCidrRange;
  json.gatewayAddress = addressAt(range, 1);
  if (fields.secondaryIpRanges !== undefined) json.secondaryIpRanges = fields.secondaryIpRanges;
  json.region = regionUrl(record.projectId, record.region);
  json.selfLink = subnetworkUrl(record.projectId, record.region, record.name);
  json.privateIpGoogleAccess = fields.privateIpGoogleAccess ?? false;
  json.privateIpv6GoogleAccess = fields.privateIpv6GoogleAccess ?? 'DISABLE_GOOGLE_ACCESS';
  json.fingerprint = record.fingerprint;
  if (fields.logConfig !== undefined) json.logConfig = fields.logConfig;
  if (fields.enableFlowLogs !== undefined) json.enableFlowLogs = fields.enableFlowLogs;
  json.purpose = 'PRIVATE';
  json.stackType = fields.stackType ?? 'IPV4_ONLY';
  json.state = 'READY';
  return json;
}
