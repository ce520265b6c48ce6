// Settings that work but deserve a word before they go live: each has an id, a one-line reason and
// the way to accept it. `plan` shows them as warnings; a deploy that would apply changes asks on a
// terminal, and needs an explicit acknowledgement elsewhere (--accept-risk ID, or `acceptRisks:`
// in atlantis-run.yaml) — `-y` answers "apply the plan", not "and accept its risks".
import type { ParsedConfig } from './schema.js';

export const RISK_IDS = ['open-ui', 'broad-role', 'any-repo', 'secret-switch'] as const;
export type RiskId = (typeof RISK_IDS)[number];

export interface Risk {
  risk: RiskId;
  message: string;
  hint: string;
}

/**
 * Project roles that make Atlantis — and every Terraform plan a pull request can trigger — master
 * of the project: the basic roles, and those that grant roles or act as any service account.
 */
export const BROAD_ROLES = [
  'roles/owner',
  'roles/editor',
  'roles/resourcemanager.projectIamAdmin',
  'roles/iam.securityAdmin',
  'roles/iam.roleAdmin',
  'roles/iam.serviceAccountAdmin',
  'roles/iam.serviceAccountKeyAdmin',
  'roles/iam.serviceAccountTokenCreator',
  'roles/iam.serviceAccountUser',
  'roles/iam.workloadIdentityPoolAdmin',
];

// Public VCS hosts: "host/*" there admits every repository of every user.
const PUBLIC_HOSTS = ['github.com', 'gitlab.com', 'bitbucket.org', 'dev.azure.com', 'gitea.com', 'codeberg.org'];

export const acknowledgeHint = (id: RiskId) => `accept it with --accept-risk ${id}, or acceptRisks: [${id}] in atlantis-run.yaml`;

function risk(id: RiskId, message: string): Risk {
  return { risk: id, message, hint: acknowledgeHint(id) };
}

/** An allowlist entry that admits any repository (of anyone) on a host, or on every host. */
export function admitsAnyRepository(entry: string): boolean {
  const pattern = entry.trim().toLowerCase();
  if (/^\*+(\/\*+)*$/.test(pattern)) return true;
  const host = /^([^/*]+)\/\*+$/.exec(pattern)?.[1];
  return host !== undefined && PUBLIC_HOSTS.includes(host);
}

/** The risks the configuration itself carries, by the phase that puts the setting live. */
export function configRisks(config: Pick<ParsedConfig, 'access' | 'atlantis' | 'serviceAccount'>): {
  service: Risk[];
  bindings: Risk[];
} {
  const service: Risk[] = [];
  if (!config.access.uiAuth && config.access.ingress === 'all') {
    service.push(
      risk(
        'open-ui',
        'access.uiAuth is false and ingress is all: the Atlantis web UI — with its lock and unlock buttons — is open to the whole internet',
      ),
    );
  }
  const open = config.atlantis.repoAllowlist.filter(admitsAnyRepository);
  if (open.length > 0) {
    service.push(
      risk(
        'any-repo',
        `atlantis.repoAllowlist ${open.map((e) => `"${e}"`).join(', ')} admits any repository: anyone who can open a pull request there can make Atlantis run Terraform with its credentials`,
      ),
    );
  }
  const broad = config.serviceAccount.roles.filter((r) => BROAD_ROLES.includes(r));
  const bindings =
    broad.length > 0
      ? [
          risk(
            'broad-role',
            `serviceAccount.roles gives the runtime account ${broad.join(', ')}: every pull request's Terraform then controls the whole project (and who may act in it)`,
          ),
        ]
      : [];
  return { service, bindings };
}

/** The risks not acknowledged, by `acceptRisks:` or by flags. */
export function unacknowledged<R extends { risk?: string | undefined }>(risks: R[], accepted: readonly string[]): R[] {
  return risks.filter((r) => r.risk !== undefined && !accepted.includes(r.risk));
}
