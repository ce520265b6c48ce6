// Checks for single answers of the init wizard. The same function validates a prompt as the user
// types (inquirer shows the message and asks again) and a flag value (a ConfigError naming the
// field and the flag, exit 2). Each returns `true` or the problem in words.
import { isCloudRunRegion, CLOUD_RUN_REGIONS } from '../config/regions.js';
import { MiB, parseQuantity, QUANTITY_PATTERN, formatQuantity } from '../config/quantity.js';
import {
  BASE_URL_PATTERN,
  HOSTNAME_PATTERN,
  IMAGE_TAG_PATTERN,
  PROJECT_ID_PATTERN,
  ROLE_PATTERN,
  SERVICE_ACCOUNT_ID_PATTERN,
  SERVICE_NAME_PATTERN,
} from '../config/schema.js';
import { closest } from '../util/suggest.js';

export type Check = (value: string) => true | string;

/** Memory of the single instance when the config does not set resources.memory (schema default). */
export const DEFAULT_MEMORY = '2Gi';
/** The in-memory data volume's default: half the memory (what desired state uses when unset). */
export const DEFAULT_DATA_VOLUME_SIZE = formatQuantity(parseQuantity(DEFAULT_MEMORY)! / 2);

export const checks = {
  project: (v: string) =>
    PROJECT_ID_PATTERN.test(v) ||
    `"${v}" is not a valid project id: 6–30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen`,

  region: (v: string) => {
    if (isCloudRunRegion(v)) return true;
    const guess = closest(v, CLOUD_RUN_REGIONS);
    return `"${v}" is not a Cloud Run region${guess ? ` (did you mean ${guess}?)` : ''}`;
  },

  service: (v: string) => {
    if (!SERVICE_NAME_PATTERN.test(v)) {
      return `"${v}" is not a valid Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen`;
    }
    // The runtime service account is SERVICE-runtime, and service account ids have 6–30 characters.
    if (!SERVICE_ACCOUNT_ID_PATTERN.test(`${v}-runtime`)) {
      return `"${v}" is too long: the runtime service account "${v}-runtime" would exceed 30 characters (use at most 22)`;
    }
    return true;
  },

  atlantisVersion: (v: string) =>
    IMAGE_TAG_PATTERN.test(v) || `"${v}" is not an image tag of ghcr.io/runatlantis/atlantis, such as v0.47.1`,

  user: (v: string) => {
    if (v === '') return 'must not be empty';
    if (/\s/.test(v)) return `"${v}" must not contain spaces`;
    return true;
  },

  hostname: (v: string) => {
    if (v.includes('://')) return `"${v}" must be a host name without a scheme, such as ${v.replace(/^[a-z]+:\/\//i, '').split('/')[0]}`;
    return HOSTNAME_PATTERN.test(v) || `"${v}" is not a host name such as git.example.com (no scheme, no path)`;
  },

  baseUrl: (v: string) =>
    BASE_URL_PATTERN.test(v) || `"${v}" is not a URL such as https://git.example.com (http:// or https://, then the host)`,

  positiveInteger: (v: string) => (/^[1-9][0-9]{0,14}$/.test(v) ? true : `"${v}" is not a positive whole number`),

  slug: (v: string) =>
    /^[a-z0-9][a-z0-9-]*$/.test(v) ? true : `"${v}" is not an app slug (lowercase letters, digits and hyphens, as in github.com/apps/SLUG)`,

  envName: (v: string) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? true : `"${v}" is not an environment variable name (letters, digits and underscores)`,

  filePath: (v: string) => (v.trim() === '' ? 'must not be empty' : true),

  allowlistEntry: (v: string) => {
    if (v === '') return 'must not be empty';
    if (v.includes('://')) return `"${v}" must not contain a scheme (://): write it as ${v.replace(/^[a-z]+:\/\//i, '')}`;
    if (/\s/.test(v)) return `"${v}" must not contain spaces`;
    return true;
  },

  dataVolumeSize: (v: string) => {
    if (!QUANTITY_PATTERN.test(v)) return `"${v}" is not a size such as 512Mi or 1Gi`;
    const bytes = parseQuantity(v)!;
    if (bytes < 128 * MiB) return `${v} is too small for cloned repositories and plans (minimum 128Mi)`;
    if (bytes >= parseQuantity(DEFAULT_MEMORY)!) {
      return `${v} is not below the instance's memory (${DEFAULT_MEMORY}): the in-memory volume counts against it, leaving Atlantis nothing`;
    }
    return true;
  },

  role: (v: string) => ROLE_PATTERN.test(v) || `"${v}" is not a role such as roles/storage.admin or projects/P/roles/custom`,

  redisHost: (v: string) => {
    if (v === '') return 'must not be empty';
    if (/\s|:\/\/|\//.test(v) || v.includes(':')) return `"${v}" must be a host name or IP address (no scheme, no port)`;
    return true;
  },

  port: (v: string) => (/^[1-9][0-9]{0,4}$/.test(v) && Number(v) <= 65535 ? true : `"${v}" is not a port (1–65535)`),

  /** VPC network and subnet names (Compute's RFC 1035 rule). */
  resourceName: (v: string) =>
    /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ||
    `"${v}" is not a valid name: lowercase letters, digits and hyphens, starting with a letter`,
} satisfies Record<string, Check>;

/** Splits "a, b" and repeated flags into a clean list (no empty items, no duplicates, order kept). */
export function splitList(values: readonly string[] | string | undefined): string[] {
  const all = (Array.isArray(values) ? values : values === undefined ? [] : [values]) as string[];
  const out: string[] = [];
  for (const v of all.flatMap((x) => x.split(','))) {
    const item = v.trim();
    if (item !== '' && !out.includes(item)) out.push(item);
  }
  return out;
}

/** Every item must pass; the first failure is the answer's problem. */
export function checkEach(check: Check): (items: string[]) => true | string {
  return (items) => {
    for (const item of items) {
      const result = check(item);
      if (result !== true) return result;
    }
    return true;
  };
}
