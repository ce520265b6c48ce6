// Compute Engine regions, their zones, and the IPv4 range of each region's subnetwork in an
// auto mode VPC network (the `default` network), for the regions the tool deploys to
// (src/config/regions.ts). Hand-written from Google's documentation:
// - zones: https://cloud.google.com/compute/docs/regions-zones (most regions have zones a, b and c;
//   the exceptions below are listed there);
// - auto mode ranges: https://cloud.google.com/vpc/docs/subnets#ip-ranges ("Auto mode IPv4 ranges":
//   one /20 per region inside 10.128.0.0/9). A region without a range here gets no subnetwork in an
//   auto mode network (the emulator's choice where the table was not read for that region).
import { CLOUD_RUN_REGIONS } from '../../config/regions.js';

/** Zone suffixes where a region's zones are not a, b and c (regions-zones page). */
const ZONE_EXCEPTIONS: Readonly<Record<string, string>> = {
  'us-central1': 'abcf',
  'us-east1': 'bcd',
  'europe-west1': 'bcd',
};

/** The auto mode subnetwork range of each region (VPC subnets page, "Auto mode IPv4 ranges"). */
const AUTO_MODE_RANGES: Readonly<Record<string, string>> = {
  'africa-south1': '10.218.0.0/20',
  'asia-east1': '10.140.0.0/20',
  'asia-east2': '10.170.0.0/20',
  'asia-northeast1': '10.146.0.0/20',
  'asia-northeast2': '10.174.0.0/20',
  'asia-northeast3': '10.178.0.0/20',
  'asia-south1': '10.160.0.0/20',
  'asia-south2': '10.190.0.0/20',
  'asia-southeast1': '10.148.0.0/20',
  'asia-southeast2': '10.184.0.0/20',
  'australia-southeast1': '10.152.0.0/20',
  'australia-southeast2': '10.192.0.0/20',
  'europe-central2': '10.186.0.0/20',
  'europe-north1': '10.166.0.0/20',
  'europe-north2': '10.226.0.0/20',
  'europe-southwest1': '10.204.0.0/20',
  'europe-west1': '10.132.0.0/20',
  'europe-west10': '10.214.0.0/20',
  'europe-west12': '10.210.0.0/20',
  'europe-west2': '10.154.0.0/20',
  'europe-west3': '10.156.0.0/20',
  'europe-west4': '10.164.0.0/20',
  'europe-west6': '10.172.0.0/20',
  'europe-west8': '10.198.0.0/20',
  'europe-west9': '10.200.0.0/20',
  'me-central1': '10.212.0.0/20',
  'me-west1': '10.208.0.0/20',
  'northamerica-northeast1': '10.162.0.0/20',
  'northamerica-northeast2': '10.188.0.0/20',
  'northamerica-south1': '10.224.0.0/20',
  'southamerica-east1': '10.158.0.0/20',
  'southamerica-west1': '10.194.0.0/20',
  'us-central1': '10.128.0.0/20',
  'us-east1': '10.142.0.0/20',
  'us-east4': '10.150.0.0/20',
  'us-east5': '10.202.0.0/20',
  'us-south1': '10.206.0.0/20',
  'us-west1': '10.138.0.0/20',
  'us-west2': '10.168.0.0/20',
  'us-west3': '10.180.0.0/20',
  'us-west4': '10.182.0.0/20',
};

const REGIONS: ReadonlySet<string> = new Set(CLOUD_RUN_REGIONS);

/** Every auto mode subnetwork lies in this range; custom subnetworks of an auto mode network may not overlap it. */
export const AUTO_MODE_RANGE = '10.128.0.0/9';

export function isComputeRegion(region: string): boolean {
  return REGIONS.has(region);
}

export function computeRegions(): string[] {
  return [...REGIONS];
}

/** `us-central1` → [`us-central1-a`, `us-central1-b`, `us-central1-c`, `us-central1-f`]; [] for an unknown region. */
export function zonesOf(region: string): string[] {
  if (!isComputeRegion(region)) return [];
  return [...(ZONE_EXCEPTIONS[region] ?? 'abc')].map((suffix) => `${region}-${suffix}`);
}

/** `us-central1-a` → `us-central1`, when that zone exists. */
export function regionOfZone(zone: string): string | undefined {
  const region = zone.replace(/-[a-z]$/, '');
  return region !== zone && zonesOf(region).includes(zone) ? region : undefined;
}

/** The auto mode subnetwork range of a region, if the region has one. */
export function autoModeRangeOf(region: string): string | undefined {
  return isComputeRegion(region) ? AUTO_MODE_RANGES[region] : undefined;
}
