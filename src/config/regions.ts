// Regions where Cloud Run (fully managed) runs services, as listed by Google's "Cloud Run locations"
// page (2026). Validated before any call so a typo fails in milliseconds, not after an API round trip.
export const CLOUD_RUN_REGIONS = [
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'asia-southeast3',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
] as const;

export type CloudRunRegion = (typeof CLOUD_RUN_REGIONS)[number];

export function isCloudRunRegion(value: string): value is CloudRunRegion {
  return (CLOUD_RUN_REGIONS as readonly string[]).includes(value);
}
