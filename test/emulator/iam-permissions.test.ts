// The emulator's permission model for least-privilege tests: the list of permissions its methods
// check is read off the API definitions (a handler cannot check one its method does not declare),
// denyAllExcept(role) makes a caller that holds exactly a custom role's permissions, and
// testIamPermissions agrees with what --deny refuses.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineApi, restRoute } from '../../src/emulator/core/api.js';
import { startEmulatorWith } from '../../src/emulator/core/emulator.js';
import { isGooglePermission, knownPermissions, predefinedRoles } from '../../src/emulator/core/iam-catalog.js';
import { denyAllExcept, emulatedPermissions, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { restCall } from './clients.js';

const projectId = 'least-privilege-project';

/** Permissions the emulator checks that Google's catalogue does not have (Cloud Run: "There are no IAM permissions for domain mappings"). */
const NOT_GOOGLE_PERMISSIONS = /^run\.(domainmappings|authorizeddomains)\./;

describe('the permissions the emulator checks', () => {
  test('are derived from the method definitions, alsoChecks included', async () => {
    const permissions = await emulatedPermissions();
    expect(permissions).toEqual([...permissions].sort());
    expect(new Set(permissions).size).toBe(permissions.length);
    for (const expected of [
      'run.services.create', // a method's permission
      'iam.serviceAccounts.actAs', // only in Cloud Run's alsoChecks
      'iam.workloadIdentityPools.create',
      'iam.roles.create',
      'iam.serviceAccounts.disable',
      'artifactregistry.repositories.downloadArtifacts', // a raw Docker-registry route
    ]) {
      expect(permissions).toContain(expected);
    }
  });

  test('are known to IAM with the predefined roles’ permissions, apart from the names Google does not have', async () => {
    const checked = await emulatedPermissions();
    const known = knownPermissions(checked);
    expect(known).toEqual([...known].sort());
    for (const permission of checked) expect(known.includes(permission), permission).toBe(isGooglePermission(permission));
    expect(checked.filter((permission) => !isGooglePermission(permission))).toEqual(
      checked.filter((permission) => NOT_GOOGLE_PERMISSIONS.test(permission)),
    );
    // The roles' permissions count too: run.routes.invoke (Cloud Run Invoker) is checked by no method.
    expect(checked).not.toContain('run.routes.invoke');
    expect(known).toContain('run.routes.invoke');
    for (const role of predefinedRoles()) for (const permission of role.includedPermissions) expect(known).toContain(permission);
  });

  test('denyAllExcept keeps a role’s permissions and denies the rest', async () => {
    const all = await emulatedPermissions();
    const deny = await denyAllExcept(['secretmanager.secrets.create', 'iam.workloadIdentityPools.create', 'not.a.permission']);
    expect(deny).not.toContain('secretmanager.secrets.create');
    expect(deny).not.toContain('iam.workloadIdentityPools.create');
    expect(deny).toContain('secretmanager.secrets.delete');
    // Names Google does not have can be in no role: they are never denied.
    const notGoogle = all.filter((permission) => NOT_GOOGLE_PERMISSIONS.test(permission));
    expect(notGoogle.length).toBeGreaterThan(0);
    expect(deny.length).toBe(all.length - 2 - notGoogle.length);
  });

  test('a handler checking a permission its method does not declare is an emulator bug (INTERNAL)', async () => {
    const api = defineApi({
      service: 'iam.googleapis.com',
      title: 'Identity and Access Management (IAM) API',
      restRoutes: [
        restRoute<{ name: string }>({
          verb: 'GET',
          path: '/v1/{name=checks/*}',
          rpcName: 'test.Checks/GetCheck',
          permission: 'iam.roles.get',
          alsoChecks: ['iam.roles.list'],
          resource: (request) => request.name,
          project: () => undefined,
          handle: (request, ctx) => ({ denied: ctx.isDenied(request.name === 'checks/declared' ? 'iam.roles.list' : 'iam.roles.delete') }),
        }),
      ],
    });
    const emulator = await startEmulatorWith({ deny: ['iam.roles.list'] }, [api]);
    try {
      expect((await restCall(emulator, 'GET', '/v1/checks/declared')).body).toEqual({ denied: true });
      const undeclared = await restCall(emulator, 'GET', '/v1/checks/undeclared');
      expect(undeclared.status).toBe(500);
      expect(undeclared.body.error.message).toContain('checks iam.roles.delete, which its definition does not declare');
    } finally {
      await emulator.close();
    }
  });
});

describe('a caller holding exactly a custom role (--deny everything else)', () => {
  const role = ['secretmanager.secrets.create', 'secretmanager.secrets.get', 'run.services.create', 'resourcemanager.projects.get'];
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ deny: await denyAllExcept(role) });
    for (const service of ['secretmanager.googleapis.com', 'run.googleapis.com']) emulator.setServiceEnabled(projectId, service);
  });
  afterAll(() => emulator.close());

  test('what the role grants works; anything else is PERMISSION_DENIED', async () => {
    const secrets = `/v1/projects/${projectId}/secrets`;
    expect((await restCall(emulator, 'POST', `${secrets}?secretId=webhook`, { replication: { automatic: {} } })).status).toBe(200);
    expect((await restCall(emulator, 'GET', `${secrets}/webhook`)).status).toBe(200);
    const removed = await restCall(emulator, 'DELETE', `${secrets}/webhook`);
    expect(removed.status).toBe(403);
    expect(removed.body.error.message).toContain("Permission 'secretmanager.secrets.delete' denied");
  });

  test('a deploy needing iam.serviceAccounts.actAs (outside the role) is refused', async () => {
    const answer = await restCall(emulator, 'POST', `/v2/projects/${projectId}/locations/us-central1/services?serviceId=atlantis`, {
      template: { containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/hello' }] },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toContain('iam.serviceaccounts.actAs');
  });

  test('testIamPermissions on the project agrees with --deny', async () => {
    const asked = ['secretmanager.secrets.create', 'secretmanager.secrets.delete', 'run.services.create', 'iam.serviceAccounts.actAs'];
    const answer = await restCall(emulator, 'POST', `/v1/projects/${projectId}:testIamPermissions`, { permissions: asked });
    expect(answer.body.permissions).toEqual(['secretmanager.secrets.create', 'run.services.create']);
  });
});
