// Rules that span keys or depend on derived names: everything Google or Atlantis would reject,
// checked before any call. Returns every problem found, first one first.
import { managedEnvNames, SECRET_NAMES, secretSpecs } from '../atlantis/catalog.js';
import { TOOL_NAMES, TOOLS, UPSTREAM_TOOLS } from '../atlantis/tools.js';
import { closest } from '../util/suggest.js';
import type { ConfigIssue } from './load.js';
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

// Secret-looking names in atlantis.env: their values would sit in plain text in the service spec.
const SECRET_LIKE = /(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|_KEY$|API_KEY|CREDENTIALS)/;

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

  for (const spec of secretSpecs(config)) {
    const id = `${config.service}-${spec.name}`;
    if (!SECRET_ID_PATTERN.test(id)) add('service', `secret id "${id}" derived from it is not valid in Secret Manager`);
  }

  validateResources(config, add);

  config.atlantis.repoAllowlist.forEach((entry, i) => {
    if (entry.includes('://')) {
      add(`atlantis.repoAllowlist[${i}]`, `"${entry}" must not contain a scheme (://)`, `write it as ${entry.replace(/^[a-z]+:\/\//, '')}`);
    }
  });

  const managed = managedEnvNames(config);
  for (const [name] of Object.entries(config.atlantis.env)) {
    const at = `atlantis.env.${name}`;
    if (!ENV_NAME_PATTERN.test(name)) add(at, 'expected an upper-case environment variable name such as ATLANTIS_LOG_LEVEL');
    else if (managed.has(name)) add(at, 'is set by atlantis-run itself and cannot be overridden here');
    else if (SECRET_LIKE.test(name)) {
      add(
        at,
        'looks like a secret; values in atlantis.env are stored in plain text in the Cloud Run service',
        'keep secret values out of the config file (see the secrets: section and `atlantis-run secrets push`)',
      );
    }
  }

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
  if (config.persistence.mode === 'memory' && config.persistence.sizeLimit !== undefined && memory !== undefined) {
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
