// The CI phases' pure parts without Google: names and the provider derived from the configuration
// and the repository, each phase's plan against fixture live states (create, undelete, update field
// by field, grants moved), and that every permission a phase declares is one Google knows (preflight's
// testIamPermissions refuses unknown names; a custom role refuses permissions custom roles cannot hold).
import { describe, expect, it } from 'vitest';
import { requirementsOf } from '../../src/engine/phase.js';
import { permissionInfo } from '../../src/emulator/core/iam-catalog.js';
import { emulatedPermissions } from '../../src/emulator/index.js';
import { PHASES } from '../../src/phases/index.js';
import { ciAccessPhase } from '../../src/phases/ci/access.js';
import { ciSetupPhases } from '../../src/phases/ci/index.js';
import { ciPoolPhase } from '../../src/phases/ci/pool.js';
import { ciProviderPhase } from '../../src/phases/ci/provider.js';
import { ciRolePhase, desiredRole } from '../../src/phases/ci/role.js';
import { ciNames, desiredProvider, parseCiTarget, type CiTarget } from '../../src/phases/ci/target.js';
import { isAtlantisRunError } from '../../src/errors.js';
import { MINIMAL_CONFIG } from '../support/fixtures.js';
import { configOf, fakeRun, phaseContext } from '../support/phase-context.js';

const NUMBER = '123456789012';
const GITHUB: CiTarget = { system: 'github', repo: 'acme/infra' };
const POOL = `projects/${NUMBER}/locations/global/workloadIdentityPools/atlantis-ci`;
const DEPLOYER = 'atlantis-deployer@my-project.iam.gserviceaccount.com';

async function ctxFor(target: CiTarget = GITHUB, config = MINIMAL_CONFIG) {
  return phaseContext(fakeRun(await configOf(config)), { projectNumber: NUMBER }, 'deploy', ciSetupPhases(target));
}

describe('names and the provider', () => {
  it('derive from the service name, shortened to Google’s limits', async () => {
    expect(ciNames(await configOf())).toEqual({
      poolId: 'atlantis-ci',
      deployerId: 'atlantis-deployer',
      deployerEmail: DEPLOYER,
      roleId: 'atlantisDeployer',
    });
    const long = ciNames(
      await configOf(
        `${MINIMAL_CONFIG.replace('region:', 'service: atlantis-production-europe-west\nregion:')}serviceAccount: {id: atlantis-prod-runtime}\n`,
      ),
    );
    expect(long.deployerId).toBe('atlantis-production-e-deployer');
    expect(long.deployerId.length).toBeLessThanOrEqual(30);
    expect(long.poolId).toBe('atlantis-production-europe-we-ci');
    expect(long.poolId.length).toBeLessThanOrEqual(32);
    expect(long.roleId).toBe('atlantisProductionEuropeWestDeployer');
    expect(ciNames(await configOf(MINIMAL_CONFIG.replace('region:', 'service: gcp\nregion:'))).poolId).toBe('ci-gcp');
  });

  it('restrict the provider to one repository, with the issuer of the configured host', async () => {
    expect(desiredProvider(await configOf(), GITHUB)).toMatchObject({
      attributeCondition: "assertion.repository == 'acme/infra'",
      oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
    });
    expect(desiredProvider(await configOf(), GITHUB).oidc.allowedAudiences).toBeUndefined();
    const ghes = await configOf(
      MINIMAL_CONFIG.replace(
        'vcs: {provider: github, user: atlantis-bot}',
        'vcs: {provider: github, user: bot, hostname: git.acme.com}',
      ).replace('github.com/acme/*', 'git.acme.com/acme/*'),
    );
    expect(desiredProvider(ghes, GITHUB).oidc.issuerUri).toBe('https://git.acme.com/_services/token');
    const gitlab = await configOf(
      MINIMAL_CONFIG.replace(
        'vcs: {provider: github, user: atlantis-bot}',
        'vcs: {provider: gitlab, user: bot, hostname: gitlab.acme.com}',
      ).replace('github.com/acme/*', 'gitlab.acme.com/acme/*'),
    );
    expect(desiredProvider(gitlab, { system: 'gitlab', repo: 'platform/live' })).toMatchObject({
      attributeCondition: "assertion.project_path == 'platform/live'",
      oidc: { issuerUri: 'https://gitlab.acme.com', allowedAudiences: ['https://gitlab.acme.com'] },
    });
    expect(
      desiredProvider(gitlab, { system: 'gitlab', repo: 'platform/live', audience: 'https://aud.example' }).oidc.allowedAudiences,
    ).toEqual(['https://aud.example']);
  });

  it('refuses repositories that are not one repository (never unrestricted, nothing that breaks out of the condition)', () => {
    for (const [system, repo] of [
      ['github', 'acme'],
      ['github', 'acme/*'],
      ['github', "acme/x' || true || 'y"],
      ['github', 'a/b/c'],
      ['gitlab', 'group'],
      ['gitlab', 'group/"x"'],
    ] as const) {
      let error: unknown;
      try {
        parseCiTarget(system, repo, undefined);
      } catch (err) {
        error = err;
      }
      expect(isAtlantisRunError(error) && error.exitCode, `${system} ${repo}`).toBe(2);
    }
    expect(parseCiTarget('gitlab', '/group/sub/project/', undefined)).toEqual({ system: 'gitlab', repo: 'group/sub/project' });
  });
});

describe('ci-pool and ci-provider plans', () => {
  it('create, undelete (never recreate) and update only what differs', async () => {
    const ctx = await ctxFor();
    expect(ciPoolPhase.plan(ctx, { pool: undefined }).decision).toEqual({ action: 'create' });
    const deleted = ciPoolPhase.plan(ctx, {
      pool: { name: POOL, state: 'DELETED', displayName: 'atlantis-run CI', description: 'old' },
    });
    expect(deleted.decision).toMatchObject({ action: 'undelete', mask: ['description'] });
    expect(deleted.changes[0]?.reason).toMatch(/^undelete/);
    const disabled = ciPoolPhase.plan(ctx, {
      pool: { name: POOL, state: 'ACTIVE', disabled: true, displayName: 'atlantis-run CI', description: 'old' },
    });
    expect(disabled.decision).toMatchObject({ action: 'update', mask: ['description', 'disabled'] });
  });

  it('moves the condition to a new repository and restricts a provider someone opened up', async () => {
    const ctx = await ctxFor();
    const want = desiredProvider(ctx.config, GITHUB);
    const live = { name: `${POOL}/providers/github`, state: 'ACTIVE', ...want };
    const provider = ciProviderPhase(GITHUB);
    expect(provider.plan(ctx, { provider: live }).decision).toEqual({ action: 'none' });
    const moved = provider.plan(ctx, { provider: { ...live, attributeCondition: "assertion.repository == 'acme/old'" } });
    expect(moved.decision).toMatchObject({ action: 'update', mask: ['attribute_condition'] });
    expect(moved.changes[0]?.fields).toEqual([
      { path: 'attributeCondition', from: "assertion.repository == 'acme/old'", to: "assertion.repository == 'acme/infra'" },
    ]);
    const opened = provider.plan(ctx, {
      provider: { ...live, attributeCondition: undefined, oidc: { issuerUri: want.oidc.issuerUri + '/' } },
    });
    expect(opened.decision).toMatchObject({ action: 'update', mask: ['attribute_condition'] });
  });
});

describe('ci-role plan', () => {
  const roleName = 'projects/my-project/roles/atlantisDeployer';
  const member = `serviceAccount:${DEPLOYER}`;

  it('has exactly the permissions the enabled deploy phases declare, and follows the configuration', async () => {
    const plain = await configOf();
    expect(desiredRole(plain).includedPermissions).toEqual(requirementsOf(PHASES, plain).permissions);
    const roles = await configOf(`${MINIMAL_CONFIG}serviceAccount: {roles: [roles/storage.admin]}\n`);
    const ctx = phaseContext(fakeRun(roles), { projectNumber: NUMBER }, 'deploy', ciSetupPhases(GITHUB));
    const live = {
      roles: [
        {
          name: roleName,
          title: desiredRole(plain).title,
          description: desiredRole(plain).description,
          includedPermissions: desiredRole(plain).includedPermissions,
          stage: 'GA',
          etag: 'e1',
        },
      ],
      policy: { bindings: [{ role: roleName, members: [member] }] },
    };
    const plan = ciRolePhase.plan(ctx, live);
    expect(plan.decision.role).toMatchObject({ action: 'update', mask: ['included_permissions'], etag: 'e1' });
    // The project policy is always read (bindings find unnamed roles of the runtime account); a
    // configured role adds the right to set it.
    expect(plan.changes[0]?.fields).toEqual([{ path: 'includedPermissions[+]', to: 'resourcemanager.projects.setIamPolicy' }]);
    expect(plan.decision.binding).toBe(false);
  });

  it('creates under the first free id, undeletes a deleted one, and rebinds from an older id', async () => {
    const ctx = await ctxFor();
    const created = ciRolePhase.plan(ctx, { roles: [], policy: {} });
    expect(created.decision.role).toMatchObject({
      action: 'create',
      ids: expect.arrayContaining(['atlantisDeployer', 'atlantisDeployer_2']),
    });
    expect(created.changes.map((c) => `${c.action} ${c.kind}`)).toEqual(['create custom role', 'create IAM binding']);

    const undeleted = ciRolePhase.plan(ctx, { roles: [{ name: roleName, deleted: true, etag: 'e2' }], policy: {} });
    expect(undeleted.decision.role).toMatchObject({ action: 'undelete', name: roleName, etag: 'e2' });

    const want = desiredRole(ctx.config);
    const second = { name: `${roleName}_2`, ...want, etag: 'e3' };
    const rebind = ciRolePhase.plan(ctx, { roles: [second], policy: { bindings: [{ role: roleName, members: [member] }] } });
    expect(rebind.decision).toEqual({ role: { action: 'none', name: `${roleName}_2` }, binding: true });
    expect(rebind.changes.map((c) => `${c.action} ${c.resource}`)).toEqual([
      `create ${roleName}_2 → ${DEPLOYER} on projects/my-project`,
      `delete ${roleName} → ${DEPLOYER} on projects/my-project`,
    ]);
  });
});

describe('ci-access plan', () => {
  it('grants the repository and the runtime account, drops an earlier repository of the same system, keeps the other system', async () => {
    const ctx = await ctxFor();
    const prefix = `principalSet://iam.googleapis.com/${POOL}/attribute.`;
    const gitlabMember = `${prefix}project_path/platform/live`;
    const plan = ciAccessPhase(GITHUB).plan(ctx, {
      policies: new Map([
        [DEPLOYER, { bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [`${prefix}repository/acme/old`, gitlabMember] }] }],
        ['atlantis-runtime@my-project.iam.gserviceaccount.com', undefined],
      ]),
    });
    expect(plan.changes.map((c) => `${c.action} ${c.resource}`)).toEqual([
      `create roles/iam.workloadIdentityUser → ${prefix}repository/acme/infra on ${DEPLOYER}`,
      `create roles/iam.serviceAccountUser → ${DEPLOYER} on atlantis-runtime@my-project.iam.gserviceaccount.com`,
      `delete roles/iam.workloadIdentityUser → ${prefix}repository/acme/old on ${DEPLOYER}`,
    ]);
  });
});

describe('the deployer of a bigger configuration', () => {
  const BUILD = `${MINIMAL_CONFIG}image: {strategy: build, tools: {tflint: 0.64.0}}\n`;
  const BUILDER = 'atlantis-builder@my-project.iam.gserviceaccount.com';

  it('gets the permissions persistence and Cloud Build add, and actAs only on the accounts a deploy acts as', async () => {
    const plain = desiredRole(await configOf()).includedPermissions;
    const persisted = desiredRole(await configOf(`${MINIMAL_CONFIG}persistence: {plans: gcs, locks: redis}\n`)).includedPermissions;
    expect(persisted).toEqual(expect.arrayContaining(['redis.instances.create', 'storage.buckets.create']));
    expect(plain).not.toContain('redis.instances.create');
    const built = await configOf(BUILD);
    const permissions = desiredRole(built).includedPermissions;
    expect(permissions).toEqual(expect.arrayContaining(['cloudbuild.builds.create', 'artifactregistry.repositories.create']));
    // A project-wide actAs would let the deployer act as every account of the project.
    for (const config of [plain, persisted, permissions]) expect(config).not.toContain('iam.serviceAccounts.actAs');
    expect(requirementsOf(PHASES, built).actAs.sort()).toEqual([BUILDER, 'atlantis-runtime@my-project.iam.gserviceaccount.com']);
  });

  it('ci setup creates the build account too, and grants actAs on it to the deployer', async () => {
    const config = await configOf(BUILD);
    const phases = ciSetupPhases(GITHUB).filter((p) => p.enabled(config));
    expect(phases.map((p) => p.name)).toContain('build-identity');
    const ctx = await ctxFor(GITHUB, BUILD);
    const plan = ciAccessPhase(GITHUB).plan(ctx, {
      policies: new Map([
        [DEPLOYER, undefined],
        [BUILDER, undefined],
      ]),
    });
    expect(plan.changes.map((c) => `${c.action} ${c.resource}`)).toContain(
      `create roles/iam.serviceAccountUser → ${DEPLOYER} on ${BUILDER}`,
    );
  });
});

describe('declared permissions', () => {
  it('are all permissions Google knows at project level, so a custom role may hold them', async () => {
    const everything = await configOf(`${MINIMAL_CONFIG}serviceAccount: {roles: [roles/storage.admin]}\ndomain: atlantis.example.com\n`);
    const deploy = requirementsOf(PHASES, everything).permissions;
    const ci = requirementsOf(ciSetupPhases(GITHUB), everything).permissions;
    // The emulator's catalogue: its role table and the permissions its methods check.
    const checked = await emulatedPermissions();
    for (const permission of [...deploy, ...ci]) expect(permissionInfo(permission, checked), permission).toBeDefined();
    // actAs is asked of the accounts, never granted project-wide.
    expect(deploy).not.toContain('iam.serviceAccounts.actAs');
  });
});
