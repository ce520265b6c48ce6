// IAM v1 roles over REST: project custom roles (validation against Google's permission catalogue,
// views, etags, soft delete and undelete), the bundled predefined roles, queryTestablePermissions,
// and custom roles in IAM policies ("does not exist in the resource's hierarchy").
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { knownPermissions } from '../../src/emulator/core/iam-catalog.js';
import { emulatedPermissions, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { restCall } from './clients.js';

const projectId = 'roles-test-project';
const base = `/v1/projects/${projectId}/roles`;
const DEPLOYER = ['run.services.create', 'run.services.get', 'iam.serviceAccounts.actAs', 'secretmanager.secrets.create'];

describe('IAM roles', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
  });
  afterAll(() => emulator.close());

  test('create answers the role; ALPHA (the default stage) is not shown', async () => {
    const created = await restCall(emulator, 'POST', base, {
      roleId: 'atlantisDeployer',
      role: { title: 'Atlantis deployer', description: 'Deploys Atlantis', includedPermissions: [...DEPLOYER, 'run.services.get'] },
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      name: `projects/${projectId}/roles/atlantisDeployer`,
      title: 'Atlantis deployer',
      description: 'Deploys Atlantis',
      includedPermissions: DEPLOYER,
      etag: expect.stringMatching(/^[A-Za-z0-9+/]{11}=$/),
    });
    const ga = await restCall(emulator, 'POST', base, { roleId: 'gaRole', role: { title: 'GA', stage: 'GA', includedPermissions: [] } });
    expect(ga.body.stage).toBe('GA');
    expect(ga.body.includedPermissions).toBeUndefined();
  });

  test('role ids, names, titles and stages are checked', async () => {
    for (const roleId of ['ab', 'a'.repeat(65), 'has-dash', '']) {
      const answer = await restCall(emulator, 'POST', base, { roleId, role: { title: 'x' } });
      expect(answer.status, roleId).toBe(400);
      expect(answer.body.error.message).toContain('is invalid');
    }
    expect((await restCall(emulator, 'POST', base, { roleId: 'named', role: { name: `${base.slice(4)}/named` } })).status).toBe(400);
    expect((await restCall(emulator, 'POST', base, { roleId: 'longTitle', role: { title: 'é'.repeat(51) } })).status).toBe(400);
    expect((await restCall(emulator, 'POST', base, { roleId: 'badStage', role: { stage: 'SOON' } })).status).toBe(400);
    const duplicate = await restCall(emulator, 'POST', base, { roleId: 'atlantisDeployer', role: {} });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toBe(`A role named atlantisDeployer in projects/${projectId} already exists.`);
  });

  test('permissions must be known and valid at project level', async () => {
    for (const permission of [
      'run.services.fly', // unknown
      'resourcemanager.projects.list', // in Google's roles, but organization-level only (Google: "Permission resourcemanager.projects.list is not valid.")
      'run.domainmappings.create', // checked by the emulator, but not a Google permission
      'compute.instances.create', // a real permission of a service the emulator does not serve: unknown to it
    ]) {
      const answer = await restCall(emulator, 'POST', base, { roleId: 'invalidPerms', role: { includedPermissions: [permission] } });
      expect(answer.status, permission).toBe(400);
      expect(answer.body.error.message).toBe(`Permission ${permission} is not valid.`);
    }
    // Known from the predefined roles only (no method checks them), and from the emulator's checks.
    const known = await restCall(emulator, 'POST', base, {
      roleId: 'testingPerms',
      role: { includedPermissions: ['run.routes.invoke', 'logging.logEntries.create', 'iam.workloadIdentityPools.create'] },
    });
    expect(known.status).toBe(200);
    expect(known.body.includedPermissions).toEqual(['run.routes.invoke', 'logging.logEntries.create', 'iam.workloadIdentityPools.create']);
  });

  test('get and list (BASIC by default, FULL on request)', async () => {
    const read = await restCall(emulator, 'GET', `${base}/atlantisDeployer`);
    expect(read.body.includedPermissions).toEqual(DEPLOYER);
    const basic = await restCall(emulator, 'GET', base);
    expect(basic.body.roles.map((role: { name: string }) => role.name.split('/').pop())).toEqual([
      'atlantisDeployer',
      'gaRole',
      'testingPerms',
    ]);
    expect(basic.body.roles.every((role: Record<string, unknown>) => role.includedPermissions === undefined)).toBe(true);
    const full = await restCall(emulator, 'GET', `${base}?view=FULL&pageSize=1`);
    expect(full.body.roles[0].includedPermissions).toEqual(DEPLOYER);
    expect(full.body.nextPageToken).toBeTruthy();
    const missing = await restCall(emulator, 'GET', `${base}/nobody`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`The role named projects/${projectId}/roles/nobody was not found.`);
  });

  test('patch with updateMask and etag: a stale etag is refused, the etag changes', async () => {
    const read = await restCall(emulator, 'GET', `${base}/atlantisDeployer`);
    const patched = await restCall(emulator, 'PATCH', `${base}/atlantisDeployer?updateMask=includedPermissions,stage`, {
      includedPermissions: [...DEPLOYER, 'artifactregistry.repositories.create'],
      stage: 'BETA',
      etag: read.body.etag,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Atlantis deployer', stage: 'BETA' });
    expect(patched.body.includedPermissions).toContain('artifactregistry.repositories.create');
    expect(patched.body.etag).not.toBe(read.body.etag);
    const stale = await restCall(emulator, 'PATCH', `${base}/atlantisDeployer?updateMask=title`, { title: 'x', etag: read.body.etag });
    expect(stale.status).toBe(409);
    expect(stale.body.error.status).toBe('ABORTED');
    const badPermission = await restCall(emulator, 'PATCH', `${base}/atlantisDeployer?update_mask=included_permissions`, {
      includedPermissions: ['nope.nope.nope'],
    });
    expect(badPermission.body.error.message).toBe('Permission nope.nope.nope is not valid.');
    expect((await restCall(emulator, 'PATCH', `${base}/atlantisDeployer?updateMask=name`, {})).status).toBe(400);
  });

  test('delete is soft (deleted: true, hidden unless showDeleted), undelete restores, the id stays taken', async () => {
    const deleted = await restCall(emulator, 'DELETE', `${base}/gaRole`);
    expect(deleted.body).toMatchObject({ name: `projects/${projectId}/roles/gaRole`, deleted: true });
    expect((await restCall(emulator, 'GET', `${base}/gaRole`)).body.deleted).toBe(true);
    expect((await restCall(emulator, 'GET', base)).body.roles.map((role: { name: string }) => role.name.split('/').pop())).not.toContain(
      'gaRole',
    );
    expect((await restCall(emulator, 'GET', `${base}?showDeleted=true`)).body.roles).toHaveLength(3);
    expect((await restCall(emulator, 'POST', base, { roleId: 'gaRole', role: {} })).status).toBe(409);
    expect((await restCall(emulator, 'PATCH', `${base}/gaRole?updateMask=title`, { title: 'x' })).status).toBe(400);
    const undeleted = await restCall(emulator, 'POST', `${base}/gaRole:undelete`, {});
    expect(undeleted.body.deleted).toBeUndefined();
    expect((await restCall(emulator, 'POST', `${base}/gaRole:undelete`, {})).status).toBe(400);
  });

  test('after 7 days a deleted role cannot be undeleted; after 37 its id is free', async () => {
    await restCall(emulator, 'DELETE', `${base}/testingPerms`);
    const age = (days: number) =>
      emulator.mutate((services) => {
        services.store.collection<{ deleteTime?: number }>('iam.roles').get(`projects/${projectId}/roles/testingPerms`)!.deleteTime =
          Date.now() - days * 86_400_000;
      });
    age(8);
    expect((await restCall(emulator, 'POST', `${base}/testingPerms:undelete`, {})).status).toBe(404);
    expect((await restCall(emulator, 'POST', base, { roleId: 'testingPerms', role: {} })).status).toBe(409);
    age(38);
    expect((await restCall(emulator, 'POST', base, { roleId: 'testingPerms', role: {} })).status).toBe(200);
  });

  test('custom roles in IAM policies: only existing, undeleted roles of the same project', async () => {
    const policy = (role: string) => ({ policy: { bindings: [{ role, members: ['user:deployer@example.com'] }] } });
    const resource = `/v1/projects/${projectId}:setIamPolicy`;
    const bound = await restCall(emulator, 'POST', resource, policy(`projects/${projectId}/roles/atlantisDeployer`));
    expect(bound.status).toBe(200);
    for (const role of [
      `projects/${projectId}/roles/nobody`,
      'projects/other-project-1/roles/atlantisDeployer',
      'organizations/1/roles/x',
    ]) {
      const refused = await restCall(emulator, 'POST', resource, policy(role));
      expect(refused.status, role).toBe(400);
      expect(refused.body.error.message).toBe(`Role (${role}) does not exist in the resource's hierarchy.`);
    }
    await restCall(emulator, 'DELETE', `${base}/gaRole`);
    expect((await restCall(emulator, 'POST', resource, policy(`projects/${projectId}/roles/gaRole`))).status).toBe(400);
  });

  test('predefined roles: GET /v1/roles/ROLE answers Google’s definition; unknown ones are not found', async () => {
    const user = await restCall(emulator, 'GET', '/v1/roles/iam.workloadIdentityUser');
    expect(user.body).toEqual({
      name: 'roles/iam.workloadIdentityUser',
      title: 'Workload Identity User',
      description: 'Impersonate service accounts from federated workloads.',
      includedPermissions: [
        'iam.serviceAccounts.get',
        'iam.serviceAccounts.getAccessToken',
        'iam.serviceAccounts.getOpenIdToken',
        'iam.serviceAccounts.list',
      ],
      stage: 'GA',
      etag: 'AA==',
    });
    const runAdmin = await restCall(emulator, 'GET', '/v1/roles/run.admin');
    expect(runAdmin.body.includedPermissions).toContain('run.services.create');
    const unknown = await restCall(emulator, 'GET', '/v1/roles/run.wizard');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('The role named roles/run.wizard was not found.');
    const listed = await restCall(emulator, 'GET', '/v1/roles?pageSize=5');
    expect(listed.body.roles).toHaveLength(5);
    expect(listed.body.roles[0].includedPermissions).toBeUndefined();
  });

  test('queryTestablePermissions lists the project permissions the emulator knows, with disabled APIs', async () => {
    const names: string[] = [];
    const all: Array<Record<string, unknown>> = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      pages += 1;
      const page = await restCall(emulator, 'POST', '/v1/permissions:queryTestablePermissions', {
        fullResourceName: `//cloudresourcemanager.googleapis.com/projects/${projectId}`,
        pageSize: 100,
        ...(pageToken ? { pageToken } : {}),
      });
      expect(page.status).toBe(200);
      all.push(...page.body.permissions);
      names.push(...page.body.permissions.map((permission: { name: string }) => permission.name));
      pageToken = page.body.nextPageToken;
    } while (pageToken);
    // Several pages, each permission once, in order: the known ones less those not valid in projects.
    expect(pages).toBeGreaterThan(1);
    expect(names).toEqual(knownPermissions(await emulatedPermissions()).filter((name) => name !== 'resourcemanager.projects.list'));
    const byName = new Map(all.map((permission) => [permission.name, permission]));
    expect(byName.get('iam.serviceAccounts.actAs')).toEqual({ name: 'iam.serviceAccounts.actAs' });
    expect(byName.get('run.services.create')).toEqual({ name: 'run.services.create', apiDisabled: true });
    expect(byName.get('run.routes.invoke')).toEqual({ name: 'run.routes.invoke', apiDisabled: true });
    expect(byName.get('resourcemanager.projects.getIamPolicy')).toEqual({ name: 'resourcemanager.projects.getIamPolicy' });
    expect(byName.has('run.domainmappings.create')).toBe(false);
    const other = await restCall(emulator, 'POST', '/v1/permissions:queryTestablePermissions', {
      fullResourceName: '//storage.googleapis.com/projects/_/buckets/b',
    });
    expect(other.status).toBe(400);
  });
});
