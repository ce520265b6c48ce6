// Compute Engine regions, their zones, and the IPv4 range of each region's subnetwork in an
// auto mode VPC network (the `default` network). Source: a real `gcloud compute networks subnets
// list` (aggregated subnetworks, every region and zone scope) recorded against Google by the Kubernetes
// Config Connector project: GoogleCloudPlatform/k8s-config-connector@cdb85ecf,
// mockgcp/mockcompute/testdata/computenetworks/subnetmode-custom/_http.log (Apache-2.0).

interface RegionFacts {
  /** Zone suffixes: `abcf` → REGION-a, REGION-b, REGION-c, REGION-f. */
  zones: string;
  /** The auto mode subnetwork range (absent: the recorded default network had no subnetwork there). */
  autoRange?: string;
}

const REGIONS: Readonly<Record<string, RegionFacts>> = {
  'africa-south1': { zones: 'abc', autoRange: '10.218.0.0/20' },
  'asia-east1': { zones: 'abc', autoRange: '10.140.0.0/20' },
  'asia-east2': { zones: 'abc', autoRange: '10.170.0.0/20' },
  'asia-northeast1': { zones: 'abc', autoRange: '10.146.0.0/20' },
  'asia-northeast2': { zones: 'abc', autoRange: '10.174.0.0/20' },
  'asia-northeast3': { zones: 'abc', autoRange: '10.178.0.0/20' },
  'asia-south1': { zones: 'abc', autoRange: '10.160.0.0/20' },
  'asia-south2': { zones: 'abc', autoRange: '10.190.0.0/20' },
  'asia-southeast1': { zones: 'abc', autoRange: '10.148.0.0/20' },
  'asia-southeast2': { zones: 'abc', autoRange: '10.184.0.0/20' },
  // Not in the recording (a newer region, listed in src/config/regions.ts); zones a-c assumed.
  'asia-southeast3': { zones: 'abc' },
  'australia-southeast1': { zones: 'abc', autoRange: '10.152.0.0/20' },
  'australia-southeast2': { zones: 'abc', autoRange: '10.192.0.0/20' },
  'europe-central2': { zones: 'abc', autoRange: '10.186.0.0/20' },
  'europe-north1': { zones: 'abc', autoRange: '10.166.0.0/20' },
  'europe-north2': { zones: 'abc', autoRange: '10.226.0.0/20' },
  'europe-southwest1': { zones: 'abc', autoRange: '10.204.0.0/20' },
  'europe-west1': { zones: 'bcd', autoRange: '10.132.0.0/20' },
  'europe-west10': { zones: 'abc', autoRange: '10.214.0.0/20' },
  'europe-west12': { zones: 'abc', autoRange: '10.210.0.0/20' },
  'europe-west2': { zones: 'abc', autoRange: '10.154.0.0/20' },
  'europe-west3': { zones: 'abc', autoRange: '10.156.0.0/20' },
  'europe-west4': { zones: 'abc', autoRange: '10.164.0.0/20' },
  'europe-west6': { zones: 'abc', autoRange: '10.172.0.0/20' },
  'europe-west8': { zones: 'abc', autoRange: '10.198.0.0/20' },
  'europe-west9': { zones: 'abc', autoRange: '10.200.0.0/20' },
  'me-central1': { zones: 'abc', autoRange: '10.212.0.0/20' },
  'me-central2': { zones: 'abc' },
  'me-west1': { zones: 'abc', autoRange: '10.208.0.0/20' },
  'northamerica-northeast1': { zones: 'abc', autoRange: '10.162.0.0/20' },
  'northamerica-northeast2': { zones: 'abc', autoRange: '10.188.0.0/20' },
  'northamerica-south1': { zones: 'abc', autoRange: '10.224.0.0/20' },
  'southamerica-east1': { zones: 'abc', autoRange: '10.158.0.0/20' },
  'southamerica-west1': { zones: 'abc', autoRange: '10.194.0.0/20' },
  'us-central1': { zones: 'abcf', autoRange: '10.128.0.0/20' },
  'us-east1': { zones: 'bcd', autoRange: '10.142.0.0/20' },
  'us-east4': { zones: 'abc', autoRange: '10.150.0.0/20' },
  'us-east5': { zones: 'abc', autoRange: '10.202.0.0/20' },
  'us-south1': { zones: 'abc', autoRange: '10.206.0.0/20' },
  'us-west1': { zones: 'abc', autoRange: '10.138.0.0/20' },
  'us-west2': { zones: 'abc', autoRange: '10.168.0.0/20' },
  'us-west3': { zones: 'abc', autoRange: '10.180.0.0/20' },
  'us-west4': { zones: 'abc', autoRange: '10.182.0.0/20' },
};

/** Every auto mode subnetwork lies in this range; custom subnetworks of an auto mode network may not overlap it. */
export const AUTO_MODE_RANGE = '10.128.0.0/9';

export function isComputeRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(REGIONS, region);
}

export function computeRegions(): string[] {
  return Object.keys(REGIONS);
}

/** `us-central1` → [`us-central1-a`, `us-central1-b`, `us-central1-c`, `us-central1-f`]; [] for an unknown region. */
export function zonesOf(region: string): string[] {
  const facts = isComputeRegion(region) ? REGIONS[region] : undefined;
  return facts ? [...facts.zones].map((suffix) => `${region}-${suffix}`) : [];
}

/** `us-central1-a` → `us-central1`, when that zone exists. */
export function regionOfZone(zone: string): string | undefined {
  const region = zone.replace(/-[a-z]$/, '');
  return region !== zone && zonesOf(region).includes(zone) ? region : undefined;
}

/** The auto mode subnetwork range of a region, if the region has one. */
export function autoModeRangeOf(region: string): string | undefined {
  return isComputeRegion(region) ? REGIONS[region].autoRange : undefined;
}
