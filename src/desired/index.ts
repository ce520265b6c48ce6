// The desired state: a pure function from configuration (plus the facts only the cloud knows, when
// known) to every resource the tool manages, in the shapes the Google APIs take (proto3 JSON).
// `render` prints it; `plan` and `deploy` diff live state against it.
import path from 'node:path';
import { PROVIDERS, secretSpecs, vcsEnvironment, type SecretName, type SecretSpec } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import { deterministicUrl } from '../config/names.js';
import { formatQuantity, parseQuantity } from '../config/quantity.js';
import type { SecretSourceConfig } from '../config/schema.js';
import type { RunContainer, RunEnvVar, RunService, RunVolume } from '../gcp/apis/run-types.js';
import { desiredPersistence, servicePersistence, type DesiredPersistence, type PersistenceFacts } from './persistence.js';
import { compareLikeLocale } from '../util/collate.js';

export type { DesiredPersistence } from './persistence.js';

export const MANAGED_LABEL = { 'managed-by': 'atlantis-run' } as const;
export const DATA_DIR = '/app/atlantis';
export const UPSTREAM_IMAGE = 'ghcr.io/runatlantis/atlantis';
export const UPSTREAM_REGISTRY = 'https://ghcr.io';

/**
 * The Atlantis version a revision runs, on its template: the image itself names only a digest. It
 * travels with every template the tool writes, but is no reason to write one (service phase).
 */
export const VERSION_ANNOTATION = 'atlantis-run.dev/atlantis-version';
/** All traffic to the latest ready revision: what a deploy restores after a rollback pinned it. */
export const LATEST_TRAFFIC = [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];

/** Shown in place of what only the cloud knows when rendering offline. */
export const PROJECT_NUMBER_PLACEHOLDER = '<project-number>';
export const versionPlaceholder = (secretId: string) => `<version-of:${secretId}>`;

export interface Facts extends PersistenceFacts {
  /** The project's number (from preflight or the lockfile). */
  projectNumber?: string | undefined;
  /** Version numbers to pin, by logical secret name. */
  secretVersions?: Partial<Record<SecretName, string>> | undefined;
  /** The secrets this run adds a version to (and the plan announces): the service's switch to them is this run's own. */
  secretsAdded?: readonly SecretName[] | undefined;
  /** The image resolved to a digest. */
  image?: string | undefined;
  /**
   * Values of `derived` secrets, read from the resource they come from (the Memorystore instance's
   * AUTH string and CA) by the phase that owns it, for the secrets phase to store. Never written anywhere.
   */
  derivedValues?: Partial<Record<SecretName, DerivedValue>> | undefined;
}

/** A secret value read from another resource (registered for redaction by whoever read it). */
export interface DerivedValue {
  data: Buffer;
  sha256: string;
  /** Where it was read, for messages: "Memorystore instance atlantis-redis". */
  origin: string;
}

export type SecretValueSource =
  | { kind: 'env'; variable: string }
  | { kind: 'file'; path: string }
  | { kind: 'generated' }
  | { kind: 'derived'; from: string }
  | { kind: 'none' };

export interface DesiredSecret {
  name: SecretName;
  secretId: string;
  /** projects/P/secrets/ID */
  resourceName: string;
  spec: SecretSpec;
  source: SecretValueSource;
  labels: Record<string, string>;
}

export interface DesiredBinding {
  /** The resource whose IAM policy carries the binding: a secret, a bucket (projects/_/buckets/B), or the project. */
  resource: string;
  role: string;
  member: string;
}

export interface DesiredRepository {
  name: string;
  repositoryId: string;
  location: string;
  body: Record<string, unknown>;
}

export interface DesiredImage {
  /** What the service runs, tag or digest (a digest once resolved). */
  reference: string;
  /** The upstream image the remote repository proxies (upstream strategy). */
  upstream?: string;
  resolved: boolean;
}

/** image.strategy build: where images are built to, by whom, from what (the build itself is the build phase's). */
export interface DesiredBuild {
  kind: 'recipe' | 'context';
  builder: 'cloud-build' | 'local' | 'docker' | 'podman' | 'buildah';
  /** The standard repository built images are pushed to, with a cleanup policy keeping the newest. */
  repository: DesiredRepository;
  /** REGION-docker.pkg.dev/P/REPO/atlantis: the image built, tagged by content hash. */
  image: string;
  /** The Atlantis image of the configured version through the ghcr.io proxy (resolved to a digest before building). */
  base: string;
  tools?: Record<string, string>;
  /** Absolute path of the build context, and the Dockerfile in it. */
  context?: string;
  dockerfile?: string;
  mirror?: string;
  /** Cloud Build only: the account builds run as, its least-privilege bindings, the source bucket (contexts). */
  serviceAccount?: { accountId: string; email: string; displayName: string; description: string };
  bindings: DesiredBinding[];
  bucket?: { name: string; body: Record<string, unknown> };
  /** Cloud Build's limit on one build, e.g. 1200s. */
  timeout: string;
}

export interface DesiredState {
  project: string;
  region: string;
  projectNumber: string;
  repository?: DesiredRepository;
  secrets: DesiredSecret[];
  serviceAccount: { accountId: string; email: string; displayName: string; description: string };
  bindings: DesiredBinding[];
  image: DesiredImage;
  build?: DesiredBuild;
  service: RunService;
  url: string;
  webhookUrl: string;
  domain?: { name: string; routeName: string };
  persistence: DesiredPersistence;
}

export function desiredState(config: AtlantisRunConfig, facts: Facts = {}): DesiredState {
  const names = config.names;
  const projectNumber = facts.projectNumber ?? PROJECT_NUMBER_PLACEHOLDER;
  const runUrl = deterministicUrl(config.service, projectNumber, config.region);
  const publicUrl = config.domain ? `https://${config.domain}` : runUrl;

  const secrets = secretSpecs(config).map<DesiredSecret>((spec) => ({
    name: spec.name,
    secretId: names.secretId(spec.name),
    resourceName: names.secretName(spec.name),
    spec,
    source: secretSource(config, spec),
    labels: { ...MANAGED_LABEL, 'atlantis-run-service': config.service, 'atlantis-run-secret': spec.name },
  }));

  const apis = ['run.googleapis.com', 'secretmanager.googleapis.com', 'iam.googleapis.com'];
  if (config.image.strategy !== 'reference' || config.image.reference.includes('-docker.pkg.dev/'))
    apis.push('artifactregistry.googleapis.com');

  const repository = config.image.strategy !== 'reference' ? desiredRepository(config) : undefined;
  const build = config.image.strategy === 'build' ? desiredBuild(config, config.image) : undefined;
  const image = desiredImage(config, facts);
  const saEmail = names.serviceAccountEmail;
  const member = `serviceAccount:${saEmail}`;
  const persistence = desiredPersistence(config, { ...MANAGED_LABEL });
  const bindings: DesiredBinding[] = [
    ...secrets.map((s) => ({ resource: s.resourceName, role: 'roles/secretmanager.secretAccessor', member })),
    // Read and write plan files in the plans bucket, and nothing else (bucket IAM, not project IAM).
    ...(persistence.bucket ? [{ resource: persistence.bucket.policyResource, role: 'roles/storage.objectUser', member }] : []),
    ...config.serviceAccount.roles.map((role) => ({ resource: `projects/${config.project}`, role, member })),
  ];

  const versionOf = (s: DesiredSecret) => facts.secretVersions?.[s.name] ?? versionPlaceholder(s.secretId);
  const service = desiredService(config, { image: image.reference, url: publicUrl, secrets, versionOf, saEmail, persistence, facts });

  return {
    project: config.project,
    region: config.region,
    projectNumber,
    ...(repository ? { repository } : {}),
    secrets,
    serviceAccount: {
      accountId: names.serviceAccountId,
      email: saEmail,
      displayName: `Atlantis (${config.service}) runtime`,
      description: `Runtime identity of the Atlantis Cloud Run service ${config.service}; managed by atlantis-run`,
    },
    bindings,
    image,
    ...(build ? { build } : {}),
    service,
    url: publicUrl,
    webhookUrl: `${publicUrl}/events`,
    ...(config.domain ? { domain: { name: config.domain, routeName: config.service } } : {}),
    persistence,
  };
}

function secretSource(config: AtlantisRunConfig, spec: SecretSpec): SecretValueSource {
  if (spec.origin === 'generated') return { kind: 'generated' };
  if (spec.origin === 'derived') return { kind: 'derived', from: spec.derivedFrom ?? 'another resource' };
  if (spec.name === 'redis-password') {
    const password = config.persistence.redis?.password;
    if (!password) return { kind: 'none' };
    if ('fromEnv' in password) return { kind: 'env', variable: password.fromEnv };
    return { kind: 'file', path: path.resolve(config.configDir, password.fromFile) };
  }
  if (spec.name === 'repo-config') return { kind: 'file', path: path.resolve(config.configDir, config.atlantis.repoConfig!) };
  if (spec.name === 'server-config') return { kind: 'file', path: path.resolve(config.configDir, config.atlantis.serverConfig!) };
  const configured: SecretSourceConfig | undefined = config.secrets[spec.name];
  if (!configured) return { kind: 'none' };
  if ('fromEnv' in configured) return { kind: 'env', variable: configured.fromEnv };
  return { kind: 'file', path: path.resolve(config.configDir, configured.fromFile) };
}

function desiredRepository(config: AtlantisRunConfig): DesiredRepository {
  const names = config.names;
  return {
    name: names.repositoryName,
    repositoryId: names.repositoryId,
    location: config.region,
    body: {
      format: 'DOCKER',
      mode: 'REMOTE_REPOSITORY',
      description: `Proxy of ghcr.io for Atlantis (${config.service}); managed by atlantis-run`,
      labels: { ...MANAGED_LABEL },
      remoteRepositoryConfig: {
        description: 'GitHub Container Registry',
        dockerRepository: { customRepository: { uri: UPSTREAM_REGISTRY } },
      },
    },
  };
}

function desiredImage(config: AtlantisRunConfig, facts: Facts): DesiredImage {
  if (config.image.strategy === 'reference') {
    const ref = facts.image ?? config.image.reference;
    return { reference: ref, resolved: ref.includes('@sha256:') };
  }
  if (config.image.strategy === 'build') {
    const ref = facts.image ?? `${builtImage(config)}:${BUILT_AT_DEPLOY}`;
    return { reference: ref, resolved: ref.includes('@sha256:') };
  }
  const upstream = `${UPSTREAM_IMAGE}:${config.atlantis.version}`;
  const proxied = `${config.region}-docker.pkg.dev/${config.project}/${config.names.repositoryId}/runatlantis/atlantis:${config.atlantis.version}`;
  return { reference: facts.image ?? proxied, upstream, resolved: facts.image !== undefined };
}

/** Shown as the tag of a built image before the build has run. */
export const BUILT_AT_DEPLOY = '<built-at-deploy>';

type BuildImageConfig = Extract<AtlantisRunConfig['image'], { strategy: 'build' }>;

/** REGION-docker.pkg.dev/P/REPO/atlantis: where built images go (tagged by content hash). */
export function builtImage(config: AtlantisRunConfig): string {
  return `${config.region}-docker.pkg.dev/${config.project}/${config.names.buildRepositoryId}/atlantis`;
}

/** The configured Atlantis version through the ghcr.io proxy: what a build starts FROM. */
export function proxiedAtlantisImage(config: AtlantisRunConfig): string {
  return `${config.region}-docker.pkg.dev/${config.project}/${config.names.repositoryId}/runatlantis/atlantis:${config.atlantis.version}`;
}

function desiredBuild(config: AtlantisRunConfig, image: BuildImageConfig): DesiredBuild {
  const names = config.names;
  const cloud = image.builder === 'cloud-build';
  const kind = image.context !== undefined ? 'context' : 'recipe';
  const email = names.buildServiceAccountEmail;
  const member = `serviceAccount:${email}`;
  const bindings: DesiredBinding[] = cloud
    ? [
        // Least privilege (Cloud Build's user-specified service accounts): write its logs, push to
        // the build repository, pull the base through the proxy, read the uploaded context.
        { resource: `projects/${config.project}`, role: 'roles/logging.logWriter', member },
        { resource: names.buildRepositoryName, role: 'roles/artifactregistry.writer', member },
        { resource: names.repositoryName, role: 'roles/artifactregistry.reader', member },
        ...(kind === 'context'
          ? [{ resource: `projects/_/buckets/${names.sourceBucket}`, role: 'roles/storage.objectViewer', member }]
          : []),
      ]
    : [];
  return {
    kind,
    builder: image.builder,
    repository: {
      name: names.buildRepositoryName,
      repositoryId: names.buildRepositoryId,
      location: config.region,
      body: {
        format: 'DOCKER',
        mode: 'STANDARD_REPOSITORY',
        description: `Atlantis images built for ${config.service}; managed by atlantis-run`,
        labels: { ...MANAGED_LABEL },
        // Keep the newest images, delete the others: Artifact Registry's documented pair of a
        // delete-everything policy and a keep-most-recent policy (keep wins).
        cleanupPolicies: {
          'delete-older': { id: 'delete-older', action: 'DELETE', condition: { tagState: 'ANY' } },
          'keep-newest': { id: 'keep-newest', action: 'KEEP', mostRecentVersions: { keepCount: image.keep } },
        },
        cleanupPolicyDryRun: false,
      },
    },
    image: builtImage(config),
    base: proxiedAtlantisImage(config),
    ...(image.tools ? { tools: { ...image.tools } } : {}),
    ...(image.context !== undefined
      ? { context: path.resolve(config.configDir, image.context), dockerfile: image.dockerfile ?? 'Dockerfile' }
      : {}),
    ...(image.mirror ? { mirror: image.mirror } : {}),
    ...(cloud
      ? {
          serviceAccount: {
            accountId: names.buildServiceAccountId,
            email,
            displayName: `Atlantis (${config.service}) image builder`,
            description: `Cloud Build runs the image builds of ${config.service} as this account; managed by atlantis-run`,
          },
        }
      : {}),
    bindings,
    ...(cloud && kind === 'context'
      ? {
          bucket: {
            name: names.sourceBucket,
            body: {
              location: config.region.toUpperCase(),
              storageClass: 'STANDARD',
              labels: { ...MANAGED_LABEL },
              iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
              // Uploaded build contexts are only needed while their build runs.
              lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] },
            },
          },
        }
      : {}),
    timeout: `${durationSeconds(image.timeout)}s`,
  };
}

function durationSeconds(text: string): number {
  const n = Number(text.slice(0, -1));
  return text.endsWith('h') ? n * 3600 : text.endsWith('m') ? n * 60 : n;
}

interface ServiceInputs {
  image: string;
  url: string;
  secrets: DesiredSecret[];
  versionOf: (s: DesiredSecret) => string;
  saEmail: string;
  persistence: DesiredPersistence;
  facts: Facts;
}

// The Cloud Run v2 Service with the Atlantis defaults (ARCHITECTURE.md, "The service Atlantis runs in").
function desiredService(config: AtlantisRunConfig, inputs: ServiceInputs): RunService {
  const port = config.atlantis.port;
  const memoryBytes = parseQuantity(config.resources.memory)!;
  // Default volume: half the memory, leaving the rest to Atlantis and Terraform.
  const dataDir = inputs.persistence.settings.dataDir;
  const sizeLimit =
    dataDir.kind === 'memory' && dataDir.sizeLimit
      ? formatQuantity(parseQuantity(dataDir.sizeLimit)!)
      : formatQuantity(Math.floor(memoryBytes / 2));
  const persisted = servicePersistence(inputs.persistence, inputs.facts, { dataDir: DATA_DIR, memorySizeLimit: sizeLimit, port });

  const plainEnv: Record<string, string> = {
    ATLANTIS_PORT: String(port),
    ATLANTIS_ATLANTIS_URL: inputs.url,
    ATLANTIS_DATA_DIR: DATA_DIR,
    ATLANTIS_REPO_ALLOWLIST: config.atlantis.repoAllowlist.join(','),
    ...vcsEnvironment(config.atlantis.vcs),
    ...persisted.env,
    ...config.atlantis.env,
  };
  if (config.access.uiAuth) {
    plainEnv.ATLANTIS_WEB_BASIC_AUTH = 'true';
    plainEnv.ATLANTIS_WEB_USERNAME = config.access.uiUser;
  }
  const env: RunEnvVar[] = [];
  const volumes: RunVolume[] = [persisted.dataVolume, ...persisted.volumes];
  const volumeMounts: { name: string; mountPath: string }[] = [{ name: 'atlantis-data', mountPath: DATA_DIR }, ...persisted.mounts];

  for (const secret of inputs.secrets) {
    const delivery = secret.spec.delivery;
    if ('env' in delivery) {
      env.push({ name: delivery.env, valueSource: { secretKeyRef: { secret: secret.secretId, version: inputs.versionOf(secret) } } });
    } else {
      // A secret volume names its file freely through items[].path: Atlantis gets a .yaml file
      // although Secret Manager ids cannot contain a dot.
      const volumeName = secret.name;
      volumes.push({
        name: volumeName,
        secret: { secret: secret.secretId, items: [{ path: delivery.file.fileName, version: inputs.versionOf(secret) }] },
      });
      volumeMounts.push({ name: volumeName, mountPath: delivery.file.mountPath });
      plainEnv[delivery.file.env] =
        delivery.file.envPointsAt === 'folder' ? delivery.file.mountPath : `${delivery.file.mountPath}/${delivery.file.fileName}`;
    }
  }
  for (const [name, value] of Object.entries(plainEnv)) env.push({ name, value });
  // A stable order makes the spec, and therefore plan diffs, deterministic.
  env.sort((a, b) => compareLikeLocale(a.name, b.name));

  const atlantis: RunContainer = {
    name: 'atlantis',
    image: inputs.image,
    ports: [{ name: 'http1', containerPort: port }],
    env,
    // cpuIdle false = instance-based billing: Atlantis keeps planning after it answered the webhook.
    resources: {
      limits: { cpu: String(config.resources.cpu), memory: config.resources.memory },
      cpuIdle: false,
      startupCpuBoost: true,
    },
    volumeMounts,
    startupProbe: persisted.startupProbe,
    ...(persisted.sidecars.length ? { dependsOn: persisted.sidecars.map((c) => c.name!) } : {}),
  };

  return {
    name: config.names.serviceName,
    description: `Atlantis (${PROVIDERS[config.atlantis.vcs.provider].label}); managed by atlantis-run`,
    // After `rollback` pinned it, a deploy sends traffic back to the latest revision.
    traffic: structuredClone(LATEST_TRAFFIC),
    labels: { ...MANAGED_LABEL },
    ingress: config.access.ingress === 'all' ? 'INGRESS_TRAFFIC_ALL' : 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
    // Webhooks from the VCS carry no Google identity; Atlantis authenticates them with the
    // webhook secret, and the UI with basic auth.
    invokerIamDisabled: true,
    launchStage: 'GA',
    template: {
      labels: { ...MANAGED_LABEL },
      ...(config.image.strategy === 'upstream' ? { annotations: { [VERSION_ANNOTATION]: config.atlantis.version } } : {}),
      serviceAccount: inputs.saEmail,
      executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      // Exactly one instance: Atlantis with BoltDB must never run twice.
      scaling: { minInstanceCount: 1, maxInstanceCount: 1 },
      // The UI streams job logs over websockets, which end at the request timeout.
      timeout: '3600s',
      maxInstanceRequestConcurrency: 80,
      ...(persisted.vpcAccess ? { vpcAccess: persisted.vpcAccess } : {}),
      containers: [atlantis, ...persisted.sidecars],
      volumes,
    },
  };
}
