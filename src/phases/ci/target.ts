// What `ci setup` creates for one deployment and one CI system, as a pure function of the
// configuration and the repository: the workload identity pool, the OIDC provider of the CI system
// (restricted by its attribute condition to that one repository — never unrestricted), the deployer
// service account, its custom role, and the principal set a pipeline of that repository is.
//
// The claims are the CI systems' own: GitHub Actions' `repository` (OWNER/NAME), GitLab's
// `project_path` (GROUP/[SUBGROUP/]PROJECT), as google-github-actions/auth and GitLab's Google Cloud
// documentation map them. Every name derives from the service name, so a run without a lockfile finds
// everything again.
import type { AtlantisRunConfig } from '../../config/load.js';
import { UsageError } from '../../errors.js';

export const CI_SYSTEM_NAMES = ['github', 'gitlab'] as const;
export type CiSystemName = (typeof CI_SYSTEM_NAMES)[number];

export interface CiTarget {
  system: CiSystemName;
  /** GitHub: OWNER/NAME. GitLab: the project path GROUP/[SUBGROUP/]PROJECT. */
  repo: string;
  /** GitLab: the `aud` of the job's ID token (what `ci init gitlab --audience` writes). */
  audience?: string;
}

export interface CiNames {
  poolId: string;
  /** The deployer service account's id and e-mail. */
  deployerId: string;
  deployerEmail: string;
  /** The custom role's id; `_2`, `_3`… when Google still holds it after a deletion (see roleCandidates). */
  roleId: string;
}

interface SystemFacts {
  title: string;
  /** The claim the condition and the principal set use, and its attribute. */
  claim: 'repository' | 'project_path';
  attributeMapping: Record<string, string>;
}

const SYSTEMS: Record<CiSystemName, SystemFacts> = {
  github: {
    title: 'GitHub Actions',
    claim: 'repository',
    attributeMapping: {
      'google.subject': 'assertion.sub',
      'attribute.repository': 'assertion.repository',
      'attribute.repository_owner': 'assertion.repository_owner',
      'attribute.ref': 'assertion.ref',
    },
  },
  gitlab: {
    title: 'GitLab CI/CD',
    claim: 'project_path',
    attributeMapping: {
      'google.subject': 'assertion.sub',
      'attribute.project_path': 'assertion.project_path',
      'attribute.namespace_path': 'assertion.namespace_path',
      'attribute.ref': 'assertion.ref',
    },
  },
};

/** GitHub owner (user or organisation) and repository names. */
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
/** One segment of a GitLab path (group, subgroup, project). */
const GITLAB_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function isCiSystem(value: string): value is CiSystemName {
  return (CI_SYSTEM_NAMES as readonly string[]).includes(value);
}

/** The target from `ci setup SYSTEM --repo … [--audience …]`; a bad value is a usage error naming the flag. */
export function parseCiTarget(system: string, repo: string | undefined, audience: string | undefined): CiTarget {
  if (!isCiSystem(system)) throw new UsageError(`ci setup: expected github or gitlab, got "${system}"`);
  const value = (repo ?? '').trim().replace(/^\/+|\/+$/g, '');
  if (!value) {
    throw new UsageError(
      `--repo: which repository may deploy? give ${system === 'github' ? 'OWNER/NAME' : 'the project path GROUP/PROJECT'}`,
      {
        hint: 'the provider only accepts pipelines of that repository',
      },
    );
  }
  if (system === 'github') {
    const [owner, name, ...rest] = value.split('/');
    if (!owner || !name || rest.length > 0 || !GITHUB_OWNER.test(owner) || !GITHUB_REPO.test(name) || name === '.' || name === '..') {
      throw new UsageError(`--repo: expected a GitHub repository OWNER/NAME, got "${value}"`);
    }
    if (audience !== undefined) {
      throw new UsageError("--audience is for GitLab: google-github-actions/auth asks for the provider's default audience");
    }
    return { system, repo: value };
  }
  const segments = value.split('/');
  if (segments.length < 2 || !segments.every((s) => GITLAB_SEGMENT.test(s))) {
    throw new UsageError(`--repo: expected the GitLab project path GROUP/[SUBGROUP/]PROJECT, got "${value}"`);
  }
  if (audience !== undefined && !/^https:\/\/[^\s'"]{1,248}$/.test(audience)) {
    throw new UsageError(`--audience: expected an https:// URL such as https://gitlab.com, got "${audience}"`);
  }
  return { system, repo: value, ...(audience !== undefined ? { audience } : {}) };
}

/** `prefix-suffix`, the prefix shortened (deterministically) when the whole would pass `max`. */
function fitted(prefix: string, suffix: string, max: number): string {
  const room = max - suffix.length - 1;
  return `${prefix.length > room ? prefix.slice(0, room).replace(/-+$/, '') : prefix}-${suffix}`;
}

export function ciNames(config: AtlantisRunConfig): CiNames {
  const service = config.service;
  // Pool ids: 4–32 of [a-z0-9-]. Service account ids: 6–30. Role ids: 3–64 of [A-Za-z0-9_.] (camelCase here).
  const deployerId = fitted(service, 'deployer', 30);
  const roleId = `${service.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/-/g, '')}Deployer`;
  const poolId = fitted(service, 'ci', 32);
  return {
    // Google reserves the prefix gcp- for its own pools.
    poolId: poolId.startsWith('gcp-') ? `ci-${poolId.slice(0, -3)}` : poolId,
    deployerId,
    deployerEmail: `${deployerId}@${config.project}.iam.gserviceaccount.com`,
    roleId,
  };
}

/** The role ids `ci setup` may have used: the base id, then `_2` … `_9` while Google kept an older one's id. */
export function roleCandidates(roleId: string): string[] {
  return [roleId, ...Array.from({ length: 8 }, (_v, i) => `${roleId}_${i + 2}`)];
}

/** The OIDC issuer of the CI system: GitHub Enterprise and self-managed GitLab from the vcs settings. */
export function issuerOf(config: AtlantisRunConfig, system: CiSystemName): string {
  const vcs = config.atlantis.vcs;
  const host = 'hostname' in vcs ? vcs.hostname : undefined;
  if (system === 'github') {
    const enterprise = (vcs.provider === 'github' || vcs.provider === 'github-app') && host && host !== 'github.com';
    return enterprise ? `https://${host}/_services/token` : 'https://token.actions.githubusercontent.com';
  }
  return `https://${vcs.provider === 'gitlab' && host ? host : 'gitlab.com'}`;
}

export interface DesiredProvider {
  providerId: CiSystemName;
  displayName: string;
  description: string;
  attributeMapping: Record<string, string>;
  attributeCondition: string;
  oidc: { issuerUri: string; allowedAudiences?: string[] };
}

/** The provider: only tokens of exactly this repository pass its condition. */
export function desiredProvider(config: AtlantisRunConfig, target: CiTarget): DesiredProvider {
  const facts = SYSTEMS[target.system];
  const issuerUri = issuerOf(config, target.system);
  // GitHub: google-github-actions/auth asks for the provider's default audience (its own resource
  // name), which Google accepts when allowedAudiences is empty. GitLab: the job's id_tokens aud.
  const audience = target.system === 'gitlab' ? (target.audience ?? issuerUri) : undefined;
  return {
    providerId: target.system,
    displayName: facts.title,
    description: `${facts.title} pipelines of ${target.repo} deploying ${config.service} with atlantis-run`.slice(0, 256),
    attributeMapping: { ...facts.attributeMapping },
    // The repository was checked to hold no quote, so it sits safely in a CEL string literal.
    attributeCondition: `assertion.${facts.claim} == '${target.repo}'`,
    oidc: { issuerUri, ...(audience ? { allowedAudiences: [audience] } : {}) },
  };
}

export function poolResourceName(projectNumber: string, poolId: string): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
}

/** Where principal sets of this system's repositories start, in the pool (for finding earlier ones). */
export function principalSetPrefix(projectNumber: string, poolId: string, system: CiSystemName): string {
  return `principalSet://iam.googleapis.com/${poolResourceName(projectNumber, poolId)}/attribute.${SYSTEMS[system].claim}/`;
}

/** Every pipeline of the repository: the member that may act as the deployer (roles/iam.workloadIdentityUser). */
export function repositoryPrincipal(projectNumber: string, poolId: string, target: CiTarget): string {
  return `${principalSetPrefix(projectNumber, poolId, target.system)}${target.repo}`;
}

export function systemTitle(system: CiSystemName): string {
  return SYSTEMS[system].title;
}
