// Rules that span keys or depend on derived names: everything Google or Atlantis would reject,
// checked before any call. Returns every problem found, first one first.
import { managedEnvNames, SECRET_NAMES, secretSpecs, vcsEnvironment } from '../atlantis/catalog.js';
import { TOOL_NAMES, TOOLS, UPSTREAM_TOOLS } from '../atlantis/tools.js';
import { allowlistProblem } from './allowlist.js';
import { closest } from '../util/suggest.js';
import { looksLikeCredential } from '../util/redact.js';
import type { ConfigIssue } from './load.js';
import { validatePersistence } from './validate-persistence.js';
import { GiB, MiB, parseQuantity } from './quantity.js';
import { CLOUD_RUN_REGIONS, isCloudRunRegion } from './regions.js';
import {
  ENV_NAME_PATTERN,
  PROJECT_ID_PATTERN,
  REPOSITORY_ID_PATTERN,
  SECRET_ID_PATTERN,
  SERVICE_ACCOUNT_ID_PATTERN,
  SERVICE_NAME_PATTERN,
  type ParsedConfig,
} from './schema.js';

// Memory Cloud Run allows per vCPU count (Cloud Run "configure memory limits" docs).
const MEMORY_RANGE: Record<number, [min: number, max: number]> = {
  1: [512 * MiB, 4 * GiB],
  2: [512 * MiB, 8 * GiB],
  4: [2 * GiB, 16 * GiB],
  6: [4 * GiB, 24 * GiB],
  8: [4 * GiB, 32 * GiB],
};

// Secret-looking names in atlantis.env: their values would sit in plain text in the service spec,
// readable by anyone with run.services.get (and `render` redacts them, so nobody would notice).
const SECRET_LIKE = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE_KEY|_KEY$|API_KEY|CREDENTIALS|(^|_)PASS($|_)|(^|_)PAT$)/;

export function validateConfig(config: ParsedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, problem: string, hint?: string) => issues.push(hint ? { path, problem, hint } : { path, problem });

  if (!config.project) {
    add('project', 'is required', 'set project: in atlantis-run.yaml, pass --project, or export CLOUDSDK_CORE_PROJECT');
  } else if (!PROJECT_ID_PATTERN.test(config.project)) {
    add(
      'project',
      `"${config.project}" is not a valid project id: 6–30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen`,
    );
  }

  if (!config.region) {
    add('region', 'is required', 'set region: in atlantis-run.yaml, pass --region, or export CLOUDSDK_RUN_REGION');
  } else if (!isCloudRunRegion(config.region)) {
    const guess = closest(config.region, CLOUD_RUN_REGIONS);
    add(
      'region',
      `"${config.region}" is not a Cloud Run region`,
      guess ? `did you mean ${guess}?` : `valid regions: ${CLOUD_RUN_REGIONS.join(', ')}`,
    );
  }

  if (!SERVICE_NAME_PATTERN.test(config.service)) {
    add(
      'service',
      `"${config.service}" is not a valid Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 49 characters`,
    );
  }

  const saId = config.serviceAccount.id ?? `${config.service}-runtime`;
  if (!SERVICE_ACCOUNT_ID_PATTERN.test(saId)) {
    add(
      'serviceAccount.id',
      `"${saId}" is not a valid service account id: 6–30 lowercase letters, digits or hyphens, starting with a letter`,
      config.serviceAccount.id
        ? undefined
        : 'the default is SERVICE-runtime; set serviceAccount.id explicitly when the service name is too long or short',
    );
  }
  if (config.image.strategy !== 'reference') {
    const repoId = config.image.repository ?? `${config.service}-ghcr`;
    if (!REPOSITORY_ID_PATTERN.test(repoId)) add('image.repository', `"${repoId}" is not a valid Artifact Registry repository id`);
  }
  if (config.image.strategy === 'build') validateBuild(config, config.image, add);

  if (config.image.strategy === 'reference') {
    const host = imageHost(config.image.reference);
    if (!CLOUD_RUN_REGISTRY.test(host)) {
      add(
        'image.reference',
        `Cloud Run cannot deploy images from ${host}: only from [region.]gcr.io, [region-]docker.pkg.dev or docker.io`,
        host === 'ghcr.io'
          ? 'use image: {strategy: upstream} (an Artifact Registry remote repository proxies ghcr.io), or copy the image into Artifact Registry'
          : 'copy the image into Artifact Registry, or proxy its registry with an Artifact Registry remote repository',
      );
    }
  }

  for (const spec of secretSpecs(config)) {
    const id = `${config.service}-${spec.name}`;
    if (!SECRET_ID_PATTERN.test(id)) add('service', `secret id "${id}" derived from it is not valid in Secret Manager`);
  }

  validateResources(config, add);
  validatePersistence(config, add);

  config.atlantis.repoAllowlist.forEach((entry, i) => {
    const at = `atlantis.repoAllowlist[${i}]`;
    if (entry.includes('://')) {
      add(at, `"${entry}" must not contain a scheme (://)`, `write it as ${entry.replace(/^[a-z]+:\/\//, '')}`);
      return;
    }
    if (entry.includes(',')) {
      // Atlantis splits ATLANTIS_REPO_ALLOWLIST on commas: "github.com/acme/*,*" would admit everything.
      add(at, `"${entry}" contains a comma, which would split it into several patterns`, 'write each pattern as its own list item');
      return;
    }
    if (/\s/.test(entry)) {
      add(at, `"${entry}" contains white space, which no repository name has`);
      return;
    }
    const wrongHost = allowlistProblem(entry, config.atlantis.vcs);
    if (wrongHost) add(at, wrongHost.problem, `write it as ${wrongHost.fix}`);
  });

  const managed = managedEnvNames(config);
  for (const [name] of Object.entries(config.atlantis.env)) {
    const at = `atlantis.env.${name}`;
    if (!ENV_NAME_PATTERN.test(name)) add(at, 'expected an upper-case environment variable name such as ATLANTIS_LOG_LEVEL');
    else if (RESERVED_ENV_NAMES.includes(name) || name.startsWith('X_GOOGLE_'))
      add(
        at,
        `is reserved: Cloud Run sets ${name.startsWith('X_GOOGLE_') ? 'X_GOOGLE_* variables' : name} itself (container runtime contract)`,
      );
    else if (managed.has(name)) add(at, 'is set by atlantis-run itself and cannot be overridden here');
    else if (SECRET_LIKE.test(name) || looksLikeCredential(config.atlantis.env[name] ?? '')) {
      // Never echo the value: it may be the credential itself.
      add(
        at,
        `${SECRET_LIKE.test(name) ? 'looks like a secret' : 'holds a value shaped like a credential (not shown)'}; values in atlantis.env are stored in plain text in the Cloud Run service, readable by anyone who may view it`,
        'keep secret values out of the config file: the secrets: section and `atlantis-run secrets push` put them in Secret Manager',
      );
    }
  }

  validateEnvLimits(config, add);

  const needed = new Map(secretSpecs(config).map((s) => [s.name, s]));
  for (const name of Object.keys(config.secrets)) {
    const at = `secrets.${name}`;
    if (!(SECRET_NAMES as readonly string[]).includes(name)) {
      const guess = closest(name, SECRET_NAMES);
      add(
        at,
        'unknown secret name',
        guess ? `did you mean ${guess}? valid names: ${SECRET_NAMES.join(', ')}` : `valid names: ${SECRET_NAMES.join(', ')}`,
      );
    } else if (name === 'redis-password' || name === 'redis-ca') {
      add(at, 'comes from persistence.redis (the Memorystore instance, or password: for an existing Redis); remove it here');
    } else if (!needed.has(name as never)) {
      add(
        at,
        `is not used by this configuration (provider ${config.atlantis.vcs.provider})`,
        `secrets used here: ${[...needed.keys()].join(', ')}`,
      );
    } else if (name === 'repo-config' || name === 'server-config') {
      add(at, `comes from atlantis.${name === 'repo-config' ? 'repoConfig' : 'serverConfig'}; remove it here`);
    }
  }
  return issues;
}

// Cloud Run's limits on a container's environment (EnvVar in google/cloud/run/v2/k8s.min.proto: a
// value of at most 32768 bytes; "a maximum of 1000 environment variables" in Cloud Run's
// environment variables documentation; the runtime contract's reserved names).
export const RESERVED_ENV_NAMES = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'];
const ENV_VALUE_MAX_BYTES = 32768;
const ENV_COUNT_MAX = 1000;

/** Every plain value the service will carry, by the setting it comes from, checked against Cloud Run's limits. */
function validateEnvLimits(config: ParsedConfig, add: (path: string, problem: string, hint?: string) => void): void {
  const tooLong = (value: string) => Buffer.byteLength(value, 'utf8') > ENV_VALUE_MAX_BYTES;
  const allowlist = config.atlantis.repoAllowlist.join(',');
  if (tooLong(allowlist)) {
    add(
      'atlantis.repoAllowlist',
      `joined with commas it is ${Buffer.byteLength(allowlist, 'utf8')} bytes; Cloud Run takes at most ${ENV_VALUE_MAX_BYTES} per environment variable`,
      'use wildcards (github.com/acme/*) instead of listing every repository',
    );
  }
  for (const [name, value] of Object.entries(config.atlantis.env)) {
    if (tooLong(value))
      add(
        `atlantis.env.${name}`,
        `is ${Buffer.byteLength(value, 'utf8')} bytes; Cloud Run takes at most ${ENV_VALUE_MAX_BYTES} per environment variable`,
      );
  }
  for (const [name, value] of Object.entries(vcsEnvironment(config.atlantis.vcs))) {
    if (tooLong(value))
      add('atlantis.vcs', `${name} would be ${Buffer.byteLength(value, 'utf8')} bytes; Cloud Run takes at most ${ENV_VALUE_MAX_BYTES}`);
  }
  const count = managedEnvNames(config).size + Object.keys(config.atlantis.env).length;
  if (count > ENV_COUNT_MAX)
    add('atlantis.env', `the service would have ${count} environment variables; Cloud Run takes at most ${ENV_COUNT_MAX}`);
}

// Where Cloud Run pulls images from ("Expected an image path like [host/]repo-path[:tag and/or
// @digest], where host is one of [region.]gcr.io, [region-]docker.pkg.dev or docker.io").
const CLOUD_RUN_REGISTRY = /^(([a-z]+\.)?gcr\.io|([a-z0-9-]+-)?docker\.pkg\.dev|docker\.io|index\.docker\.io)$/;

/** The registry host of an image reference (Docker's rule: the first part, if it has a dot or a port). */
function imageHost(reference: string): string {
  const first = reference.split('/')[0] ?? '';
  return reference.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

type Add = (path: string, problem: string, hint?: string) => void;
type BuildImage = Extract<ParsedConfig['image'], { strategy: 'build' }>;

// image.strategy: build — a recipe (tools) or a context, never both; tools from the catalogue.
function validateBuild(config: ParsedConfig, image: BuildImage, add: Add): void {
  const hasTools = image.tools !== undefined && Object.keys(image.tools).length > 0;
  if (hasTools && image.context !== undefined) {
    add('image', 'give either tools (a recipe) or context (your own Dockerfile), not both', 'add the tools to your Dockerfile instead');
  } else if (!hasTools && image.context === undefined) {
    add('image', 'strategy build needs tools (a recipe) or context (a directory with your Dockerfile)', 'e.g. tools: {terragrunt: 0.68.1}');
  }
  if (image.dockerfile !== undefined && image.context === undefined) add('image.dockerfile', 'is only used with image.context');
  if (image.mirror !== undefined && !hasTools) add('image.mirror', 'is only used with image.tools (a recipe)');
  for (const [name, version] of Object.entries(image.tools ?? {})) {
    const at = `image.tools.${name}`;
    const spec = TOOLS[name];
    if (!spec) {
      const shipped = (UPSTREAM_TOOLS as readonly string[]).includes(name);
      const guess = closest(name, TOOL_NAMES);
      add(
        at,
        shipped ? 'is already in the upstream Atlantis image' : 'is not a tool atlantis-run knows',
        shipped
          ? 'remove it: the image ships terraform, tofu, conftest and git-lfs'
          : guess
            ? `did you mean ${guess}?`
            : `known tools: ${TOOL_NAMES.join(', ')}`,
      );
    } else if (!spec.versions[version] && !spec.checksumsUrl) {
      add(
        at,
        `${version} is not a version atlantis-run has a checksum for, and ${name} publishes no checksum file to verify it against`,
        `pinned versions: ${Object.keys(spec.versions).join(', ')}`,
      );
    }
  }
  if (image.builder === 'cloud-build') {
    const saId = image.serviceAccount.id ?? `${config.service}-builder`;
    if (!SERVICE_ACCOUNT_ID_PATTERN.test(saId)) {
      add(
        'image.serviceAccount.id',
        `"${saId}" is not a valid service account id: 6–30 lowercase letters, digits or hyphens, starting with a letter`,
        image.serviceAccount.id
          ? undefined
          : 'the default is SERVICE-builder; set image.serviceAccount.id when the service name is too long',
      );
    }
  }
  const buildRepoId = image.buildRepository ?? `${config.service}-images`;
  if (!REPOSITORY_ID_PATTERN.test(buildRepoId))
    add('image.buildRepository', `"${buildRepoId}" is not a valid Artifact Registry repository id`);
  else if (buildRepoId === (image.repository ?? `${config.service}-ghcr`)) {
    add('image.buildRepository', 'must differ from image.repository: one proxies ghcr.io, the other holds the images built here');
  }
}

function validateResources(config: ParsedConfig, add: (path: string, problem: string, hint?: string) => void): void {
  const cpu = config.resources.cpu;
  const memory = parseQuantity(config.resources.memory);
  const range = MEMORY_RANGE[cpu];
  if (memory !== undefined && range) {
    const [min, max] = range;
    if (memory < min || memory > max) {
      add('resources.memory', `${config.resources.memory} is outside what Cloud Run allows with ${cpu} vCPU (${fmt(min)}–${fmt(max)})`);
    }
  }
  if (config.persistence.dataDir === 'memory' && config.persistence.sizeLimit !== undefined && memory !== undefined) {
    const size = parseQuantity(config.persistence.sizeLimit);
    if (size !== undefined && size >= memory) {
      add(
        'persistence.sizeLimit',
        `${config.persistence.sizeLimit} is not below resources.memory (${config.resources.memory}): an in-memory volume counts against the container's memory, so Atlantis would have none left`,
      );
    } else if (size !== undefined && size < 128 * MiB) {
      add('persistence.sizeLimit', `${config.persistence.sizeLimit} is too small for cloned repositories and plans (minimum 128Mi)`);
    }
  }
}

function fmt(bytes: number): string {
  return bytes >= GiB ? `${bytes / GiB}Gi` : `${bytes / MiB}Mi`;
}
