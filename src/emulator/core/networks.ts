// VPC networks and subnetworks are owned by the Compute API file, but Memorystore, Filestore and
// Cloud Run need to know whether a network exists, which region a subnetwork is in, and which
// private ranges are taken, so storage and lookups live here (`services.networks`). Like Google,
// a project whose Compute Engine API is enabled has an auto mode `default` network (one
// subnetwork per region) until someone deletes it; it appears the first time anything looks.
import { randomInt } from 'node:crypto';
import { autoModeRangeOf, computeRegions } from './compute-locations.js';
import { firstFreeBlock, formatCidr, overlaps, parseCidr, type Cidr } from './ipv4.js';
import type { JsonObject } from './json.js';
import type { ProjectDirectory } from './projects.js';
import type { StateStore } from './state.js';

export const COMPUTE_API = 'compute.googleapis.com';
export const COMPUTE_URL_PREFIX = 'https://www.googleapis.com/compute/v1/';

export interface NetworkRecord {
  projectId: string;
  name: string;
  /** uint64 as a decimal string, like Compute's ids. */
  id: string;
  /** RFC 3339 with Compute's Pacific offset. */
  creationTimestamp: string;
  /** The caller's settable fields as accepted (description, autoCreateSubnetworks, routingConfig, mtu, …). */
  fields: JsonObject;
  /** False until the insert operation is done: dependants then get `resourceNotReady`. */
  ready: boolean;
}

export interface SubnetworkRecord {
  projectId: string;
  region: string;
  name: string;
  id: string;
  creationTimestamp: string;
  /** Name of the network (same project). */
  network: string;
  ipCidrRange: string;
  fingerprint: string;
  /** The caller's settable fields as accepted (description, logConfig, privateIpGoogleAccess, …). */
  fields: JsonObject;
  ready: boolean;
  /** Created by an auto mode network (cannot be deleted on its own). */
  auto?: boolean;
}

/** A private range a peered service (Memorystore, Filestore) holds in a network. */
export interface RangeReservation {
  /** The holder's resource name, e.g. `projects/P/locations/L/instances/I`. */
  owner: string;
  projectId: string;
  network: string;
  range: string;
}

export type RangeConflict =
  { kind: 'subnetwork'; name: string; region: string; range: string } | { kind: 'reservation'; owner: string; range: string };

const NETWORKS = 'compute.networks';
const SUBNETWORKS = 'compute.subnetworks';
const RESERVATIONS = 'compute.reservedRanges';
const DEFAULT_NETWORK_SEEDED = 'compute.defaultNetworkSeeded';

/** Where Memorystore and Filestore pick ranges when the caller names none: 10.0.0.0/9 (clear of the auto mode 10.128.0.0/9). */
const PEERING_POOL: Cidr = { base: 10 * 2 ** 24, prefix: 9 };

export function networkKey(projectId: string, name: string): string {
  return `projects/${projectId}/global/networks/${name}`;
}

export function subnetworkKey(projectId: string, region: string, name: string): string {
  return `projects/${projectId}/regions/${region}/subnetworks/${name}`;
}

export function networkUrl(projectId: string, name: string): string {
  return `${COMPUTE_URL_PREFIX}${networkKey(projectId, name)}`;
}

export function subnetworkUrl(projectId: string, region: string, name: string): string {
  return `${COMPUTE_URL_PREFIX}${subnetworkKey(projectId, region, name)}`;
}

export function regionUrl(projectId: string, region: string): string {
  return `${COMPUTE_URL_PREFIX}projects/${projectId}/regions/${region}`;
}

/** A uint64 id in decimal, 19 digits like most of Compute's. */
export function newComputeId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(10));
  return digits;
}

/** RFC 3339 in America/Los_Angeles with milliseconds, the form Compute writes `creationTimestamp` in. */
export function computeTimestamp(ms: number): string {
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', timeZoneName: 'longOffset' })
    .formatToParts(new Date(ms))
    .find((part) => part.type === 'timeZoneName')?.value;
  const offset = /GMT([+-]\d{2}):(\d{2})/.exec(zone ?? '');
  const minutes = offset ? Number(offset[1]) * 60 + Math.sign(Number(offset[1])) * Number(offset[2]) : 0;
  const local = new Date(ms + minutes * 60_000).toISOString().replace('Z', '');
  return `${local}${offset ? `${offset[1]}:${offset[2]}` : '+00:00'}`;
}

const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/**
 * A Compute resource URL's scheme, host and version: Google's hosts (`www.googleapis.com`,
 * `compute.googleapis.com`) and any other, since gcloud with an endpoint override builds URLs on
 * the emulator's own address.
 */
const COMPUTE_URL = /^https?:\/\/[^/]+\/compute\/(?:v1|beta|alpha)\//;

/** A Compute URL without its scheme, host and version (`projects/P/global/networks/N`); other text unchanged. */
export function stripComputeUrl(reference: string): string {
  return reference.replace(COMPUTE_URL, '');
}

/**
 * A network reference in any form Google's APIs take: a full URL, `projects/P/global/networks/N`,
 * `global/networks/N`, or (with `allowBareName`) `N`. Undefined when the form is not one of them.
 */
export function parseNetworkReference(
  reference: string,
  defaultProject: string,
  options: { allowBareName?: boolean } = {},
): { projectId: string; name: string } | undefined {
  const path = stripComputeUrl(reference.trim());
  let match = /^projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(path);
  if (match) return { projectId: match[1], name: match[2] };
  match = /^global\/networks\/([^/]+)$/.exec(path);
  if (match) return { projectId: defaultProject, name: match[1] };
  if (options.allowBareName && NAME.test(path)) return { projectId: defaultProject, name: path };
  return undefined;
}

/** A subnetwork reference: full URL, `projects/P/regions/R/subnetworks/S`, `regions/R/subnetworks/S`, or a bare name in `defaultRegion`. */
export function parseSubnetworkReference(
  reference: string,
  defaultProject: string,
  defaultRegion: string,
): { projectId: string; region: string; name: string } | undefined {
  const path = stripComputeUrl(reference.trim());
  let match = /^projects\/([^/]+)\/regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(path);
  if (match) return { projectId: match[1], region: match[2], name: match[3] };
  match = /^regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(path);
  if (match) return { projectId: defaultProject, region: match[1], name: match[2] };
  if (NAME.test(path)) return { projectId: defaultProject, region: defaultRegion, name: path };
  return undefined;
}

export class NetworkDirectory {
  constructor(
    private readonly store: StateStore,
    private readonly projects: ProjectDirectory,
    private readonly now: () => number,
  ) {}

  /** The network, or undefined. A project with Compute enabled gets its `default` network on first look. */
  network(projectId: string, name: string): NetworkRecord | undefined {
    this.seedDefaultNetwork(projectId);
    return this.store.collection<NetworkRecord>(NETWORKS).get(networkKey(projectId, name));
  }

  networks(projectId: string): NetworkRecord[] {
    this.seedDefaultNetwork(projectId);
    return this.store
      .collection<NetworkRecord>(NETWORKS)
      .values()
      .filter((record) => record.projectId === projectId)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  subnetwork(projectId: string, region: string, name: string): SubnetworkRecord | undefined {
    this.seedDefaultNetwork(projectId);
    return this.store.collection<SubnetworkRecord>(SUBNETWORKS).get(subnetworkKey(projectId, region, name));
  }

  /** Subnetworks of a project, optionally of one region and/or one network, by region then name. */
  subnetworks(projectId: string, filter: { region?: string; network?: string } = {}): SubnetworkRecord[] {
    this.seedDefaultNetwork(projectId);
    return this.store
      .collection<SubnetworkRecord>(SUBNETWORKS)
      .values()
      .filter(
        (record) =>
          record.projectId === projectId &&
          (filter.region === undefined || record.region === filter.region) &&
          (filter.network === undefined || record.network === filter.network),
      )
      .sort((a, b) => a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
  }

  saveNetwork(record: NetworkRecord): void {
    this.store.collection<NetworkRecord>(NETWORKS).set(networkKey(record.projectId, record.name), record);
  }

  removeNetwork(projectId: string, name: string): void {
    this.store.collection<NetworkRecord>(NETWORKS).delete(networkKey(projectId, name));
  }

  saveSubnetwork(record: SubnetworkRecord): void {
    this.store.collection<SubnetworkRecord>(SUBNETWORKS).set(subnetworkKey(record.projectId, record.region, record.name), record);
  }

  removeSubnetwork(projectId: string, region: string, name: string): void {
    this.store.collection<SubnetworkRecord>(SUBNETWORKS).delete(subnetworkKey(projectId, region, name));
  }

  /** Records that `owner` holds `range` in a network (Memorystore, Filestore). */
  reserveRange(reservation: RangeReservation): void {
    this.store.collection<RangeReservation>(RESERVATIONS).set(reservation.owner, reservation);
  }

  releaseRange(owner: string): void {
    this.store.collection<RangeReservation>(RESERVATIONS).delete(owner);
  }

  reservations(projectId: string, network: string): RangeReservation[] {
    return this.store
      .collection<RangeReservation>(RESERVATIONS)
      .values()
      .filter((reservation) => reservation.projectId === projectId && reservation.network === network);
  }

  /** What in the network already overlaps `range` (a subnetwork or a peered service's range), if anything. */
  conflictWith(projectId: string, network: string, range: Cidr, exceptOwner?: string): RangeConflict | undefined {
    for (const subnetwork of this.subnetworks(projectId, { network })) {
      const taken = parseCidr(subnetwork.ipCidrRange);
      if (taken && overlaps(taken, range)) {
        return { kind: 'subnetwork', name: subnetwork.name, region: subnetwork.region, range: subnetwork.ipCidrRange };
      }
    }
    for (const reservation of this.reservations(projectId, network)) {
      const taken = parseCidr(reservation.range);
      if (reservation.owner !== exceptOwner && taken && overlaps(taken, range)) {
        return { kind: 'reservation', owner: reservation.owner, range: reservation.range };
      }
    }
    return undefined;
  }

  /**
   * A free block of `prefix` size for a peered service, in 10.0.0.0/9, clear of the network's
   * subnetworks and other reservations. Deterministic: the search starts at a block derived
   * from `seed` (the holder's name), so the same instance gets the same range in every run.
   */
  allocateRange(projectId: string, network: string, prefix: number, seed: string): string | undefined {
    const taken = [
      ...this.subnetworks(projectId, { network }).map((subnetwork) => parseCidr(subnetwork.ipCidrRange)),
      ...this.reservations(projectId, network).map((reservation) => parseCidr(reservation.range)),
    ].filter((range): range is Cidr => range !== undefined);
    let hash = 0;
    for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    const block = firstFreeBlock(PEERING_POOL, prefix, taken, hash % 2 ** (prefix - PEERING_POOL.prefix));
    return block && formatCidr(block);
  }

  /**
   * What keeps a network from being deleted, as resource names: its subnetworks (but not the
   * subnetworks of an auto mode network, which go with it) and peered services' ranges.
   */
  usersOf(projectId: string, network: string): string[] {
    return [
      ...this.subnetworks(projectId, { network })
        .filter((subnetwork) => !subnetwork.auto)
        .map((subnetwork) => subnetworkKey(projectId, subnetwork.region, subnetwork.name)),
      ...this.reservations(projectId, network).map((reservation) => reservation.owner),
    ];
  }

  /** Like Google: enabling Compute Engine creates an auto mode `default` network; once deleted it stays deleted. */
  private seedDefaultNetwork(projectId: string): void {
    const seeded = this.store.collection<boolean>(DEFAULT_NETWORK_SEEDED);
    if (seeded.has(projectId)) return;
    const project = this.projects.find(projectId);
    if (!project || project.projectId !== projectId || !this.projects.isServiceEnabled(project, COMPUTE_API)) return;
    seeded.set(projectId, true);
    const creationTimestamp = computeTimestamp(this.now());
    this.saveNetwork({
      projectId,
      name: 'default',
      id: newComputeId(),
      creationTimestamp,
      fields: { description: 'Default network for the project', autoCreateSubnetworks: true },
      ready: true,
    });
    this.addAutoSubnetworks(projectId, 'default', creationTimestamp);
  }

  /** The subnetworks of an auto mode network: one per region, at the region's predetermined range. */
  addAutoSubnetworks(projectId: string, network: string, creationTimestamp: string): void {
    for (const region of computeRegions()) {
      const range = autoModeRangeOf(region);
      if (!range) continue;
      this.saveSubnetwork({
        projectId,
        region,
        name: network,
        id: newComputeId(),
        creationTimestamp,
        network,
        ipCidrRange: range,
        fingerprint: newFingerprint(),
        fields: {},
        ready: true,
        auto: true,
      });
    }
  }
}

/** 8 random bytes in base64, the shape of Compute's fingerprints. */
export function newFingerprint(): string {
  const bytes = Buffer.alloc(8);
  for (let i = 0; i < bytes.length; i++) bytes[i] = randomInt(256);
  return bytes.toString('base64');
}
