// The Cloud Run Admin API v2 Service and Revision as the tool reads and writes them: proto3 JSON
// (durations as "3600s", int64 as strings, absent = unset), after src/gcp/apis/proto-json.ts has
// translated the client's object form. Only the fields the tool reads or sets are named; the rest
// travel through untouched (an update sends the live service back whole).
// Reference: https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services

export interface RunCondition {
  type?: string;
  state?: string;
  message?: string;
  reason?: string;
  revisionReason?: string;
  severity?: string;
  lastTransitionTime?: string;
}

export interface RunEnvVar {
  name: string;
  value?: string;
  valueSource?: { secretKeyRef?: { secret?: string; version?: string } };
}

export interface RunProbe {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
  tcpSocket?: { port?: number };
  httpGet?: { path?: string; port?: number };
}

export interface RunContainer {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  /** Containers that must have started (passed their startup probe) before this one starts. */
  dependsOn?: string[];
  ports?: { name?: string; containerPort?: number }[];
  env?: RunEnvVar[];
  resources?: { limits?: Record<string, string>; cpuIdle?: boolean; startupCpuBoost?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
  startupProbe?: RunProbe;
  livenessProbe?: RunProbe;
}

export interface RunVolume {
  name: string;
  secret?: { secret?: string; items?: { path: string; version?: string; mode?: number }[]; defaultMode?: number };
  emptyDir?: { medium?: string; sizeLimit?: string };
  gcs?: { bucket: string; readOnly?: boolean; mountOptions?: string[] };
  nfs?: { server: string; path: string; readOnly?: boolean };
}

export interface RunVpcAccess {
  connector?: string;
  egress?: string;
  networkInterfaces?: { network?: string; subnetwork?: string; tags?: string[] }[];
}

export interface RunRevisionTemplate {
  revision?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  scaling?: { minInstanceCount?: number; maxInstanceCount?: number };
  vpcAccess?: RunVpcAccess;
  timeout?: string;
  serviceAccount?: string;
  containers?: RunContainer[];
  volumes?: RunVolume[];
  executionEnvironment?: string;
  maxInstanceRequestConcurrency?: number;
}

export interface RunTrafficTarget {
  type?: string;
  revision?: string;
  percent?: number;
  tag?: string;
}

export interface RunService {
  /** projects/P/locations/R/services/S */
  name?: string;
  description?: string;
  uid?: string;
  generation?: string | number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ingress?: string;
  launchStage?: string;
  invokerIamDisabled?: boolean;
  template?: RunRevisionTemplate;
  traffic?: RunTrafficTarget[];
  observedGeneration?: string | number;
  terminalCondition?: RunCondition;
  conditions?: RunCondition[];
  /** projects/P/locations/R/services/S/revisions/REV */
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  trafficStatuses?: RunTrafficTarget[];
  uri?: string;
  urls?: string[];
  reconciling?: boolean;
  etag?: string;
  [outputOnly: string]: unknown;
}

export interface RunRevision extends Omit<RunRevisionTemplate, 'revision'> {
  /** projects/P/locations/R/services/S/revisions/REV */
  name?: string;
  service?: string;
  generation?: string | number;
  createTime?: string;
  conditions?: RunCondition[];
  logUri?: string;
  reconciling?: boolean;
}
