// The schema of atlantis-run.yaml: the user's intent, checked in. Every rule here is one that Google
// or Atlantis would otherwise reject later (or, worse, accept and misbehave). Keys may be added;
// existing keys are never renamed (tests and users depend on them).
import { z } from 'zod';
import { CLOUD_RUN_REGIONS } from './regions.js';
import { parseQuantity, QUANTITY_PATTERN } from './quantity.js';
import { RISK_IDS } from './risks.js';

export const DEFAULT_ATLANTIS_VERSION = 'v0.47.1';
export const DEFAULT_SERVICE = 'atlantis';

export const VCS_PROVIDERS = ['github', 'github-app', 'gitlab', 'bitbucket', 'azuredevops', 'gitea'] as const;
export type VcsProviderName = (typeof VCS_PROVIDERS)[number];

// Google's rules. Project ids: 6–30 chars, lowercase letters, digits, hyphens, starting with a letter.
export const PROJECT_ID_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// Cloud Run service ids: lowercase letters, digits, hyphens, start with a letter, no trailing hyphen, < 50.
export const SERVICE_NAME_PATTERN = /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/;
// Service account ids: 6–30 chars.
export const SERVICE_ACCOUNT_ID_PATTERN = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;
// Secret Manager secret ids.
export const SECRET_ID_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
// Artifact Registry repository ids.
export const REPOSITORY_ID_PATTERN = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const HOSTNAME_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const ROLE_PATTERN = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[a-z0-9-]+\/roles\/[A-Za-z0-9_.]+)$/;
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const nonEmpty = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, { error: `must not be empty` });
/**
 * A user name that travels in an HTTP header (basic auth, a VCS API call): a colon would end the
 * user in `user:password`, and a control character (a newline) breaks the header.
 */
const userName = (what: string) =>
  nonEmpty(what).refine((v) => !/[:\u0000-\u001f\u007f]/.test(v), {
    error: 'must not contain a colon, a newline or another control character (it travels in an HTTP Authorization header)',
  });
const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(HOSTNAME_PATTERN, { error: 'expected a host name such as github.example.com (no scheme, no path)' });
// Bitbucket Server / Gitea base URLs: scheme and host, optionally a base path.
export const BASE_URL_PATTERN = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
const httpsUrl = z
  .string()
  .trim()
  .regex(BASE_URL_PATTERN, { error: 'expected a URL such as https://git.example.com' })
  .transform((u) => u.replace(/\/+$/, ''));
const positiveInt = z.coerce.number({ error: 'expected a number' }).int({ error: 'expected a whole number' }).positive();

const github = z
  .object({
    provider: z.literal('github'),
    user: userName('the GitHub user Atlantis acts as'),
    hostname: hostname.optional(),
    org: z.string().trim().min(1).optional(),
    teamAllowlist: z.string().trim().min(1).optional(),
  })
  .strict();

const githubApp = z
  .object({
    provider: z.literal('github-app'),
    appId: positiveInt,
    slug: z.string().trim().min(1).optional(),
    installationId: positiveInt.optional(),
    hostname: hostname.optional(),
    org: z.string().trim().min(1).optional(),
  })
  .strict();

const gitlab = z
  .object({
    provider: z.literal('gitlab'),
    user: userName('the GitLab user Atlantis acts as'),
    hostname: hostname.optional(),
    groupAllowlist: z.string().trim().min(1).optional(),
  })
  .strict();

const bitbucket = z
  .object({
    provider: z.literal('bitbucket'),
    user: userName('the Bitbucket user Atlantis acts as'),
    /** Bitbucket Server / Data Center; omit for bitbucket.org. */
    baseUrl: httpsUrl.optional(),
    apiUser: userName('the Bitbucket Cloud API user').optional(),
  })
  .strict();

const azuredevops = z
  .object({
    provider: z.literal('azuredevops'),
    user: userName('the Azure DevOps user Atlantis acts as'),
    webhookUser: userName('the basic-auth user Azure DevOps sends with webhooks'),
    hostname: hostname.optional(),
  })
  .strict();

const gitea = z
  .object({
    provider: z.literal('gitea'),
    user: userName('the Gitea user Atlantis acts as'),
    baseUrl: httpsUrl,
    pageSize: positiveInt.optional(),
  })
  .strict();

export const vcsSchema = z.discriminatedUnion('provider', [github, githubApp, gitlab, bitbucket, azuredevops, gitea]);

const secretSource = z.union([
  z
    .object({
      fromEnv: z
        .string()
        .trim()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' }),
    })
    .strict(),
  z.object({ fromFile: nonEmpty('a file path') }).strict(),
]);

const quantity = (what: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .refine((v) => QUANTITY_PATTERN.test(v), { error: `expected ${what} such as 512Mi or 2Gi` });

// Cloud Run CPU limits that allow instance-based billing (cpuIdle: false needs at least 1 vCPU).
const CPU_VALUES = [1, 2, 4, 6, 8] as const;

const resources = z
  .object({
    cpu: z
      .union([z.number(), z.string()])
      .default(1)
      .transform((v) => Number(v))
      .refine((v) => Number.isFinite(v) && v >= 1, {
        error:
          'must be at least 1: Atlantis keeps working after answering a webhook, which needs instance-based billing (cpuIdle: false), and that needs at least 1 vCPU',
      })
      .refine((v) => (CPU_VALUES as readonly number[]).includes(v), { error: `expected one of ${CPU_VALUES.join(', ')}` }),
    memory: quantity('a memory size').default('2Gi'),
  })
  .strict()
  .default({ cpu: 1, memory: '2Gi' });

// Where Atlantis keeps its data (README, "Persistence"). Memory stays the default for a config
// that says nothing; the old `{mode: memory, sizeLimit}` form is still accepted.
const redis = z
  .object({
    // A managed Memorystore for Redis instance…
    tier: z.enum(['basic', 'standard']).optional().describe('Memorystore tier: basic (one node, default) or standard (with a replica)'),
    sizeGb: z.coerce.number({ error: 'expected a number of GiB' }).int({ error: 'expected a whole number of GiB' }).optional(),
    transitEncryption: z.boolean().optional().describe('Memorystore in-transit encryption (TLS, port 6378); chosen at creation'),
    instance: z.string().trim().optional().describe('Memorystore instance id (default SERVICE-redis)'),
    // …or an existing Redis.
    host: z.string().trim().min(1).optional().describe('An existing Redis instead of Memorystore: host name or IP'),
    port: z.coerce.number().int().min(1).max(65535).optional(),
    db: z.coerce.number({ error: 'expected a database number' }).int().min(0).max(15).optional(),
    tls: z.boolean().optional(),
    insecureSkipVerify: z.boolean().optional().describe('TLS without verifying the server certificate'),
    password: secretSource.optional().describe('Where the existing Redis password comes from: {fromEnv: VAR} or {fromFile: path}'),
  })
  .strict();

const persistence = z
  .object({
    /** The first schema's only field; `memory` is what dataDir: memory means now. */
    mode: z.literal('memory').optional().describe('Older form of dataDir: memory (still accepted)'),
    plans: z.enum(['memory', 'gcs']).default('memory').describe('Where plan files live: memory (default) or gcs (a Cloud Storage bucket)'),
    planRetentionDays: z.coerce
      .number({ error: 'expected a number of days' })
      .int({ error: 'expected a whole number of days' })
      .min(1)
      .max(3650)
      .default(30)
      .describe('Plan files older than this are deleted from the bucket (lifecycle rule)'),
    bucket: z.string().trim().optional().describe('Name of the plans bucket (default PROJECT-SERVICE-plans-REGION)'),
    locks: z.enum(['local', 'redis']).default('local').describe('Where locks live: local (BoltDB in the data dir, default) or redis'),
    redis: redis.optional().describe('With locks: redis — Memorystore (default) or an existing Redis (host: …)'),
    dataDir: z.enum(['memory', 'filestore']).default('memory').describe('The data dir: memory (default) or filestore (NFS)'),
    /** Size of the in-memory data-dir volume; it counts against the container's memory. */
    sizeLimit: quantity('a volume size').optional(),
    filestore: z
      .object({
        instance: z.string().trim().optional().describe('Filestore instance id (default SERVICE-data)'),
        zone: z.string().trim().optional().describe('Zone of the Basic HDD instance (default REGION-b)'),
        capacityGb: z.coerce.number().int().optional().describe('Capacity in GiB: 1024 (the minimum) to 65434'),
      })
      .strict()
      .optional(),
    network: z
      .object({
        name: z.string().trim().optional().describe('VPC network (default SERVICE; created when absent)'),
        subnet: z.string().trim().optional().describe('Subnetwork in the region (default: named like the network; created when absent)'),
        range: z.string().trim().optional().describe('IPv4 range of a subnet the tool creates (/26 or larger, default 10.8.0.0/26)'),
      })
      .strict()
      .optional()
      .describe('For Memorystore, Filestore or a Redis in a VPC: Direct VPC egress'),
  })
  .strict()
  .default({ plans: 'memory', planRetentionDays: 30, locks: 'local', dataDir: 'memory' });

// image.strategy: build — Atlantis plus tools (a recipe) or the user's own Dockerfile (a context),
// FROM the configured Atlantis version through the ghcr.io proxy, built by Cloud Build or locally.
export const BUILDERS = ['cloud-build', 'local', 'docker', 'podman', 'buildah'] as const;
export const TOOL_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const repositoryId = z.string().regex(REPOSITORY_ID_PATTERN, {
  error: 'expected a repository id: lowercase letters, digits and hyphens, starting with a letter',
});
const buildImage = z
  .object({
    strategy: z.literal('build'),
    /** Artifact Registry remote repository id that proxies ghcr.io, for the base image (default SERVICE-ghcr). */
    repository: repositoryId.optional(),
    /** Standard Artifact Registry repository the built images go to (default SERVICE-images). */
    buildRepository: repositoryId.optional(),
    tools: z
      .record(
        z.string(),
        z
          .union([z.string(), z.number()])
          .transform((v) => String(v).trim())
          .refine((v) => TOOL_VERSION_PATTERN.test(v), { error: 'expected a version such as 0.68.1' }),
      )
      .optional()
      .describe('A recipe: extra tools and their versions, e.g. {terragrunt: 0.68.1, tflint: 0.64.0}'),
    context: z.string().trim().min(1).optional().describe('Or a build context: a directory with your own Dockerfile'),
    dockerfile: z.string().trim().min(1).optional().describe('The Dockerfile inside the context (default Dockerfile)'),
    builder: z.enum(BUILDERS).default('cloud-build').describe('cloud-build (default), or local: docker, podman or buildah'),
    /** Images the build repository's cleanup policy keeps (the newest ones). */
    keep: z.coerce.number().int().min(1).max(100).default(5),
    mirror: z
      .string()
      .trim()
      .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~\/-]*)?$/, {
        error: 'expected a URL such as https://artifacts.example.com/remote (no quotes, spaces or query)',
      })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional()
      .describe('Recipe downloads go to MIRROR/HOST/PATH instead of https://HOST/PATH'),
    /** Cloud Build's limit on one build. */
    timeout: z
      .string()
      .trim()
      .regex(/^\d+(s|m|h)$/, { error: 'expected a duration such as 20m' })
      .default('20m'),
    serviceAccount: z
      .object({ id: z.string().trim().optional() })
      .strict()
      .default({})
      .describe('The build service account Cloud Build runs as (default SERVICE-builder)'),
  })
  .strict();

const image = z
  .discriminatedUnion('strategy', [
    z
      .object({
        strategy: z.literal('upstream'),
        /** Artifact Registry remote repository id that proxies ghcr.io (default SERVICE-ghcr). */
        repository: z
          .string()
          .regex(REPOSITORY_ID_PATTERN, {
            error: 'expected a repository id: lowercase letters, digits and hyphens, starting with a letter',
          })
          .optional(),
      })
      .strict(),
    z
      .object({
        strategy: z.literal('reference'),
        /** A full image reference, ideally with a digest: REGION-docker.pkg.dev/P/R/atlantis@sha256:… */
        reference: z
          .string()
          .trim()
          .regex(/^[a-z0-9.-]+(:\d+)?\/[^\s@:]+(:[A-Za-z0-9_.-]+)?(@sha256:[a-f0-9]{64})?$/, {
            error: 'expected an image reference such as europe-west1-docker.pkg.dev/my-project/images/atlantis:v0.47.1',
          }),
      })
      .strict(),
    buildImage,
  ])
  .default({ strategy: 'upstream' });

const access = z
  .object({
    uiAuth: z.boolean().default(true),
    uiUser: userName('the web UI user').default('atlantis'),
    ingress: z.enum(['all', 'internal-and-load-balancer']).default('all'),
  })
  .strict()
  .default({ uiAuth: true, uiUser: 'atlantis', ingress: 'all' });

const atlantis = z
  .object({
    version: z
      .string()
      .trim()
      .regex(IMAGE_TAG_PATTERN, { error: 'expected an image tag of ghcr.io/runatlantis/atlantis, such as v0.47.1' })
      .default(DEFAULT_ATLANTIS_VERSION),
    repoAllowlist: z
      .array(z.string().trim().min(1))
      .describe('Repositories Atlantis accepts webhooks for, e.g. github.com/acme/*')
      .min(1, { error: 'must list at least one repository pattern, such as github.com/acme/* (Atlantis refuses to start without it)' }),
    vcs: vcsSchema,
    repoConfig: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Server-side repo config (repos.yaml), pushed as a secret and mounted as a file'),
    serverConfig: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Atlantis server config file (--config), pushed as a secret and mounted as config.yaml'),
    port: z.coerce.number().int().min(1).max(65535).default(4141),
    env: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .default({})
      .describe('Extra non-secret ATLANTIS_* settings'),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional().describe('JSON Schema of this file, for editor completion'),
    project: z.string().trim().optional().describe('Google Cloud project id (or --project / CLOUDSDK_CORE_PROJECT)'),
    region: z.string().trim().optional().describe('Cloud Run region (or --region / CLOUDSDK_RUN_REGION)'),
    service: z.string().trim().default(DEFAULT_SERVICE).describe('Cloud Run service name, also the prefix of every resource name'),
    atlantis: atlantis.describe('What Atlantis runs and how it reaches your VCS'),
    secrets: z
      .record(z.string(), secretSource)
      .default({})
      .describe('Where each secret value comes from when the tool pushes it: {fromEnv: VAR} or {fromFile: path}'),
    resources: resources.describe('CPU (>= 1: instance-based billing) and memory of the single Atlantis instance'),
    persistence: persistence.describe('Where Atlantis keeps plans, locks and its data dir, and what survives a restart'),
    image: image.describe('Which image runs: upstream (ghcr.io through an Artifact Registry remote repository), a reference, or a build'),
    access: access.describe('Web UI basic auth and ingress'),
    domain: hostname.optional().describe('Custom domain mapped to the service (Cloud Run domain mapping)'),
    serviceAccount: z
      .object({
        id: z.string().trim().optional(),
        roles: z
          .array(z.string().trim().regex(ROLE_PATTERN, { error: 'expected a role such as roles/storage.admin' }))
          .default([])
          .describe('Project roles the runtime service account gets (what Atlantis needs to run Terraform)'),
      })
      .strict()
      .default({ roles: [] }),
    acceptRisks: z
      .array(z.enum(RISK_IDS))
      .default([])
      .describe('Risky settings accepted for deploys without a terminal: open-ui, broad-role, any-repo, secret-switch'),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type VcsConfig = ParsedConfig['atlantis']['vcs'];
export type SecretSourceConfig = z.output<typeof secretSource>;
export type PersistenceConfig = ParsedConfig['persistence'];
export type BuildImageConfig = z.output<typeof buildImage>;

export { CLOUD_RUN_REGIONS, ENV_NAME_PATTERN, parseQuantity };
