// Which predefined roles grant the permissions a deploy needs, so that a missing permission comes
// with the roles that grant it — only those — and the command that grants them. The table is
// Google's (roles.get: `includedPermissions`), cut down to the permissions the phases declare;
// test/credentials.test.ts checks it against the emulator's predefined roles, which are written from
// Google's IAM roles reference pages (src/emulator/core/predefined-roles.ts).

/** Roles in the order they are suggested: the narrowest admin role of each API the tool uses. */
export const DEPLOYER_ROLES: readonly { role: string; grants: readonly string[] }[] = [
  {
    role: 'roles/run.admin',
    grants: [
      'resourcemanager.projects.get',
      'run.operations.get',
      'run.revisions.get',
      'run.services.create',
      'run.services.get',
      'run.services.setIamPolicy',
      'run.services.update',
    ],
  },
  {
    role: 'roles/secretmanager.admin',
    grants: [
      'resourcemanager.projects.get',
      'secretmanager.secrets.create',
      'secretmanager.secrets.get',
      'secretmanager.secrets.getIamPolicy',
      'secretmanager.secrets.setIamPolicy',
      'secretmanager.secrets.update',
      'secretmanager.versions.add',
      'secretmanager.versions.list',
    ],
  },
  {
    role: 'roles/artifactregistry.admin',
    grants: [
      'artifactregistry.repositories.create',
      'artifactregistry.repositories.downloadArtifacts',
      'artifactregistry.repositories.get',
      'artifactregistry.repositories.update',
      'resourcemanager.projects.get',
    ],
  },
  {
    role: 'roles/iam.serviceAccountAdmin',
    grants: ['iam.serviceAccounts.create', 'iam.serviceAccounts.get', 'iam.serviceAccounts.update', 'resourcemanager.projects.get'],
  },
  {
    role: 'roles/iam.serviceAccountUser',
    grants: ['iam.serviceAccounts.actAs', 'iam.serviceAccounts.get', 'resourcemanager.projects.get'],
  },
  {
    // The run lock in the project (its bucket and object), and the plans bucket with `plans: gcs`.
    role: 'roles/storage.admin',
    grants: [
      'resourcemanager.projects.get',
      'storage.buckets.create',
      'storage.buckets.delete',
      'storage.buckets.get',
      'storage.buckets.getIamPolicy',
      'storage.buckets.setIamPolicy',
      'storage.buckets.update',
      'storage.objects.create',
      'storage.objects.delete',
      'storage.objects.get',
      'storage.objects.list',
    ],
  },
  { role: 'roles/serviceusage.serviceUsageAdmin', grants: ['serviceusage.services.enable', 'serviceusage.services.get'] },
  {
    role: 'roles/resourcemanager.projectIamAdmin',
    grants: ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy'],
  },
];

export interface RoleSuggestion {
  role: string;
  /** The missing permissions this role grants. */
  grants: string[];
}

/**
 * The fewest roles of the table that grant `missing` (greedy: the role granting most of what is
 * still missing, table order breaking ties), and the permissions no role of the table grants.
 */
export function rolesGranting(missing: readonly string[]): { roles: RoleSuggestion[]; unknown: string[] } {
  let left = new Set(missing);
  const roles: RoleSuggestion[] = [];
  for (;;) {
    let best: RoleSuggestion | undefined;
    for (const { role, grants } of DEPLOYER_ROLES) {
      const covers = grants.filter((p) => left.has(p));
      if (covers.length > (best?.grants.length ?? 0)) best = { role, grants: covers };
    }
    if (!best) break;
    const granted = best.grants;
    roles.push(best);
    left = new Set([...left].filter((p) => !granted.includes(p)));
  }
  return { roles, unknown: [...left] };
}

/** `user:alice@example.com` or `serviceAccount:deployer@p.iam.gserviceaccount.com` for an e-mail. */
export function memberOf(email: string): string {
  if (email.includes(':')) return email;
  return /\.gserviceaccount\.com$/.test(email) ? `serviceAccount:${email}` : `user:${email}`;
}

/**
 * The hint for missing project permissions: the roles that grant them, and the ready
 * `gcloud projects add-iam-policy-binding` command for each (for the caller when it is known).
 */
export function permissionHint(project: string, missing: readonly string[], caller: string | undefined): string {
  const { roles, unknown } = rolesGranting(missing);
  const member = caller ? memberOf(caller) : 'user:YOUR_ACCOUNT';
  const who = caller ? memberOf(caller) : 'the account this tool runs as';
  const lines: string[] = [];
  if (roles.length > 0) {
    lines.push(`grant ${roles.map((r) => `${r.role} (${r.grants.join(', ')})`).join(' and ')} to ${who}:`);
    for (const r of roles) lines.push(`    gcloud projects add-iam-policy-binding ${project} --member=${member} --role=${r.role}`);
  }
  if (unknown.length > 0) lines.push(`${roles.length ? 'and ' : ''}a role with ${unknown.join(', ')} (roles/owner has every one)`);
  return lines.join('\n');
}
