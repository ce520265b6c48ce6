// Each phase's plan() against fixture live states (firebase's planner.spec idea): what it shows, what
// it blocks on, the decision apply will receive and the facts it predicts — no emulator, no Google.
import { describe, expect, it } from 'vitest';
import { desiredState, type DesiredSecret } from '../../src/desired/index.js';
import type { RunService } from '../../src/gcp/apis/run.js';
import { apisPhase } from '../../src/phases/apis.js';
import { bindingsPhase } from '../../src/phases/bindings.js';
import { buildIdentityPhase } from '../../src/phases/build-identity.js';
import { domainPhase } from '../../src/phases/domain.js';
import { domainOwnerPhase } from '../../src/phases/domain-owner.js';
import { identityPhase } from '../../src/phases/identity.js';
import { imagePhase } from '../../src/phases/image.js';
import { preflightPhase } from '../../src/phases/preflight.js';
import { registryPhase } from '../../src/phases/repository.js';
import { secretsPhase } from '../../src/phases/secrets.js';
import { servicePhase } from '../../src/phases/service.js';
import type { LiveSecret } from '../../src/secret-values/live.js';
import { sha256 } from '../../src/secret-values/values.js';
import { emptyLockfile } from '../../src/state/lockfile.js';
import { MINIMAL_CONFIG } from '../support/fixtures.js';
import { configOf, fakeRun, phaseContext } from '../support/phase-context.js';

const NUMBER = '123456789012';

async function ctxFor(config?: string, facts = {}, mode: 'plan' | 'deploy' = 'deploy') {
  return phaseContext(fakeRun(await configOf(config)), { projectNumber: NUMBER, ...facts }, mode);
}

describe('preflight', () => {
  const live = (granted: string[], state = 'ACTIVE') => ({
    project: { projectId: 'my-project', projectNumber: NUMBER, state },
    granted: new Set(granted),
    required: ['run.services.create', 'secretmanager.secrets.create'],
  });

  it('predicts the project number and blocks a deploy on every missing permission at once', async () => {
    const plan = preflightPhase.plan(await ctxFor(), live(['run.services.create']));
    expect(plan.facts).toEqual({ projectNumber: NUMBER });
    expect(plan.blockers?.map((b) => b.message)).toEqual([
      'the caller lacks 1 permission on project my-project: secretmanager.secrets.create',
    ]);
  });

  it('only warns in a plan, and blocks an inactive project', async () => {
    const plan = preflightPhase.plan(await ctxFor(undefined, {}, 'plan'), live([], 'DELETE_REQUESTED'));
    expect(plan.warnings?.[0]?.message).toMatch(/^deploy would fail: the caller lacks 2 permissions/);
    expect(plan.blockers?.map((b) => b.message)).toEqual(['project my-project is DELETE_REQUESTED, not ACTIVE']);
  });

  it('blocks a deploy that may not act as the runtime account, with its own hint', async () => {
    const plan = preflightPhase.plan(await ctxFor(), {
      ...live(['run.services.create', 'secretmanager.secrets.create']),
      cannotActAs: ['atlantis-runtime@my-project.iam.gserviceaccount.com'],
    });
    expect(plan.blockers?.map((b) => b.message)).toEqual([
      'the caller may not act as atlantis-runtime@my-project.iam.gserviceaccount.com (iam.serviceAccounts.actAs on that account)',
    ]);
    expect((plan.blockers?.[0] as { hint?: string }).hint).toMatch(/roles\/iam\.serviceAccountUser on that account/);
  });
});

describe('apis', () => {
  it('enables only the APIs the enabled phases declare and are not enabled yet', async () => {
    const ctx = await ctxFor();
    const plan = apisPhase.plan(ctx, { states: { 'run.googleapis.com': 'ENABLED', 'iam.googleapis.com': 'DISABLED' } });
    expect(plan.decision.missing).toEqual(['artifactregistry.googleapis.com', 'iam.googleapis.com', 'secretmanager.googleapis.com']);
    expect(plan.changes[1]).toMatchObject({
      kind: 'API',
      resource: 'iam.googleapis.com',
      action: 'update',
      fields: [{ from: 'DISABLED', to: 'ENABLED' }],
    });
  });
});

describe('registry', () => {
  const repo = {
    name: 'x',
    format: 'DOCKER',
    mode: 'REMOTE_REPOSITORY',
    remoteUri: 'https://ghcr.io',
    description: '',
    labels: {},
    cleanupPolicies: {},
    cleanupPolicyDryRun: false,
  };

  it('creates the ghcr.io proxy when absent', async () => {
    const plan = registryPhase.plan(await ctxFor(), { repository: undefined });
    expect(plan.decision.action).toBe('create');
    expect(plan.changes[0]).toMatchObject({ kind: 'repository', resource: 'atlantis-ghcr', action: 'create' });
  });

  it('blocks on a repository of the same id that is not a ghcr.io proxy', async () => {
    const plan = registryPhase.plan(await ctxFor(), { repository: { ...repo, mode: 'STANDARD_REPOSITORY' } });
    expect(plan.blockers?.[0]?.message).toMatch(
      /^image\.repository: repository atlantis-ghcr exists in europe-west1 but is not a docker remote repository/,
    );
  });

  it('updates drifted labels, keeping labels someone else added', async () => {
    const ctx = await ctxFor();
    const body = ctx.desired().repository!.body as { description: string };
    const plan = registryPhase.plan(ctx, { repository: { ...repo, description: body.description, labels: { team: 'infra' } } });
    expect(plan.decision).toMatchObject({ action: 'update', labels: { team: 'infra', 'managed-by': 'atlantis-run' } });
    expect(plan.changes[0]?.fields).toEqual([{ path: 'labels.managed-by', to: 'atlantis-run' }]);
  });
});

describe('secrets', () => {
  const secret = (d: DesiredSecret, over: Partial<LiveSecret> = {}): LiveSecret => ({
    desired: d,
    secret: undefined,
    versions: [],
    latest: undefined,
    value: undefined,
    latestSha: undefined,
    ...over,
  });
  const version = (n: number, state = 'ENABLED') => ({ name: `v/${n}`, version: String(n), state, createTime: undefined });
  const value = (text: string) => ({ data: Buffer.from(text), sha256: sha256(Buffer.from(text)), origin: '$GITHUB_TOKEN', notes: [] });

  it('creates every secret, generates values once, and predicts the versions the service will pin', async () => {
    const ctx = await ctxFor();
    const [token, hook, password] = ctx.desired().secrets;
    const plan = secretsPhase.plan(ctx, {
      secrets: [
        secret(token, { value: value('ghp_new') }),
        // A generated value that exists is never regenerated.
        secret(hook, { secret: { name: 'h', labels: hook.labels }, versions: [version(1)], latest: version(1) }),
        // Disabled versions still take numbers: the next one is 4.
        secret(password, { secret: { name: 'p', labels: password.labels }, versions: [version(3, 'DISABLED')] }),
      ],
    });
    expect(plan.blockers ?? []).toEqual([]);
    expect(plan.facts?.secretVersions).toEqual({ 'vcs-token': '1', 'webhook-secret': '1', 'web-password': '4' });
    expect(plan.decision.secrets.map((d) => [d.live.desired.name, d.createSecret, d.add])).toEqual([
      ['vcs-token', true, 'value'],
      ['webhook-secret', false, undefined],
      ['web-password', false, 'generated'],
    ]);
    expect(plan.changes.map((c) => `${c.action} ${c.resource}`)).toEqual([
      'create atlantis-vcs-token',
      'create atlantis-vcs-token/versions/1',
      'create atlantis-web-password/versions/4',
    ]);
  });

  it('adds a version only when the value changed, and blocks a user secret that has none anywhere', async () => {
    const ctx = await ctxFor();
    const [token, hook, password] = ctx.desired().secrets;
    const existing = (d: DesiredSecret) => ({
      secret: { name: d.resourceName, labels: d.labels },
      versions: [version(2)],
      latest: version(2),
    });
    const unchanged = secretsPhase.plan(ctx, {
      secrets: [
        secret(token, { ...existing(token), value: value('ghp_same'), latestSha: sha256(Buffer.from('ghp_same')) }),
        secret(hook, existing(hook)),
        secret(password, existing(password)),
      ],
    });
    expect(unchanged.changes).toEqual([]);
    const changed = secretsPhase.plan(ctx, {
      secrets: [
        secret(token, { ...existing(token), value: value('ghp_new'), latestSha: sha256(Buffer.from('ghp_old')) }),
        secret(hook, existing(hook)),
        secret(password, existing(password)),
      ],
    });
    expect(changed.changes).toMatchObject([{ resource: 'atlantis-vcs-token/versions/3', reason: 'the value changed' }]);
    const missing = secretsPhase.plan(ctx, {
      secrets: [secret(token), secret(hook, existing(hook)), secret(password, existing(password))],
    });
    expect(missing.blockers?.[0]?.message).toBe(
      'secret vcs-token (GitHub access token) has no value yet: atlantis-vcs-token has no enabled version and $GITHUB_TOKEN is not set',
    );
  });
});

describe('identity', () => {
  it('creates, blocks on a disabled account, and updates a drifted display name', async () => {
    const ctx = await ctxFor();
    const sa = ctx.desired().serviceAccount;
    const account = { email: sa.email, uniqueId: '1', displayName: sa.displayName, description: sa.description, disabled: false };
    expect(identityPhase.plan(ctx, { account: undefined }).decision.action).toBe('create');
    expect(identityPhase.plan(ctx, { account: { ...account, disabled: true } }).blockers?.[0]?.message).toBe(
      `service account ${sa.email} is disabled`,
    );
    const drift = identityPhase.plan(ctx, { account: { ...account, displayName: 'hand-made' } });
    expect(drift.decision).toMatchObject({ action: 'update', fields: [{ path: 'displayName', from: 'hand-made', to: sa.displayName }] });
    expect(identityPhase.plan(ctx, { account }).changes).toEqual([]);
  });
});

describe('build identity (the same service-account shape, with its own words)', () => {
  it('creates the Cloud Build account, names it in the disabled blocker, and keeps the live uniqueId in the decision', async () => {
    const ctx = await ctxFor(`${MINIMAL_CONFIG}image: {strategy: build, tools: {tflint: 0.64.0}}\n`);
    const sa = ctx.desired().build!.serviceAccount!;
    const account = { email: sa.email, uniqueId: '42', displayName: sa.displayName, description: sa.description, disabled: false };
    expect(buildIdentityPhase.plan(ctx, { account: undefined }).changes[0]).toMatchObject({ action: 'create', resource: sa.email });
    const disabled = buildIdentityPhase.plan(ctx, { account: { ...account, disabled: true } }).blockers?.[0];
    expect(disabled?.message).toBe(`build service account ${sa.email} is disabled`);
    expect(buildIdentityPhase.plan(ctx, { account }).decision).toEqual({ action: 'none', account });
  });
});

describe('domain owner', () => {
  const withDomain = async () => ctxFor(`${MINIMAL_CONFIG}domain: atlantis.acme.dev\n`);

  it('blocks before anything is created when the caller may not map the domain; a parent domain is enough', async () => {
    const ctx = await withDomain();
    const refused = domainOwnerPhase.plan(ctx, { mapped: false, authorized: ['other.dev'], listDenied: false });
    expect(refused.blockers?.[0]?.message).toBe(
      'cannot map atlantis.acme.dev: Google does not know you as a verified owner of it or of a parent domain (the domains you may map: other.dev)',
    );
    expect((refused.blockers?.[0] as { hint?: string } | undefined)?.hint).toMatch(/^verify it with `gcloud domains verify acme\.dev`/);
    expect(domainOwnerPhase.plan(ctx, { mapped: false, authorized: ['acme.dev'], listDenied: false }).blockers).toBeUndefined();
    expect(domainOwnerPhase.plan(ctx, { mapped: true, authorized: [], listDenied: false }).blockers).toBeUndefined();
  });

  it('checks after the APIs phase when Cloud Run is still disabled, and warns when the list is refused', async () => {
    const ctx = await withDomain();
    const later = domainOwnerPhase.plan(ctx, { mapped: false, authorized: undefined, listDenied: false });
    expect(later.decision).toEqual({ verifyAtApply: true });
    expect(later.warnings?.[0]?.message).toMatch(/checked once run\.googleapis\.com is enabled/);
    const denied = domainOwnerPhase.plan(ctx, { mapped: false, authorized: undefined, listDenied: true });
    expect(denied.decision).toEqual({ verifyAtApply: false });
    expect(denied.warnings?.[0]?.message).toMatch(/^cannot tell whether you may map atlantis\.acme\.dev/);
  });
});

describe('bindings', () => {
  it('adds missing bindings per policy and removes the ones an earlier run recorded and the config dropped', async () => {
    const config = await configOf();
    const member = `serviceAccount:${config.names.serviceAccountEmail}`;
    const lock = emptyLockfile('test', { project: config.project, region: config.region, service: config.service });
    lock.resources.bindings = { items: [{ resource: 'projects/my-project', role: 'roles/editor', member }] };
    const ctx = phaseContext(fakeRun(config, lock), { projectNumber: NUMBER });
    const token = 'projects/my-project/secrets/atlantis-vcs-token';
    const plan = bindingsPhase.plan(ctx, {
      policies: new Map([
        [token, { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [member] }] }],
        ['projects/my-project', { bindings: [{ role: 'roles/editor', members: [member] }] }],
      ]),
    });
    expect(plan.changes.map((c) => `${c.action} ${c.resource}`)).toEqual([
      `create roles/secretmanager.secretAccessor → ${config.names.serviceAccountEmail} on projects/my-project/secrets/atlantis-webhook-secret`,
      `create roles/secretmanager.secretAccessor → ${config.names.serviceAccountEmail} on projects/my-project/secrets/atlantis-web-password`,
      `delete roles/editor → ${config.names.serviceAccountEmail} on projects/my-project`,
    ]);
    expect([...plan.decision.edits.keys()]).toEqual([
      'projects/my-project/secrets/atlantis-webhook-secret',
      'projects/my-project/secrets/atlantis-web-password',
      'projects/my-project',
    ]);
  });
});

describe('image', () => {
  it('predicts the resolved image for the service, or the tag until the repository exists', async () => {
    const ctx = await ctxFor();
    const resolved = 'europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:' + 'a'.repeat(64);
    expect(imagePhase.plan(ctx, { resolved, digest: `sha256:${'a'.repeat(64)}` }).facts).toEqual({ image: resolved });
    expect(imagePhase.plan(ctx, { resolved: undefined, digest: undefined }).facts?.image).toBe(
      'europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis:v0.47.1',
    );
  });
});

describe('service', () => {
  const versions = { 'vcs-token': '1', 'webhook-secret': '1', 'web-password': '1' };

  it('creates the service, and updates only the fields that differ', async () => {
    const ctx = await ctxFor(undefined, { secretVersions: versions });
    expect(servicePhase.plan(ctx, { service: undefined, retired: [] }).changes).toEqual([
      { kind: 'Cloud Run service', resource: 'atlantis', action: 'create', reason: 'Atlantis v0.47.1' },
    ]);
    const live: RunService = structuredClone(ctx.desired().service);
    live.template!.containers![0].resources!.limits!.memory = '4Gi';
    const plan = servicePhase.plan(ctx, { service: live, retired: [] });
    expect(plan.changes[0]?.fields).toEqual([{ path: 'template.containers[atlantis].resources.limits.memory', from: '4Gi', to: '2Gi' }]);
  });

  it('retries a failed revision when nothing else differs', async () => {
    const ctx = await ctxFor(undefined, { secretVersions: versions });
    const failed: RunService = {
      ...structuredClone(ctx.desired().service),
      latestCreatedRevision: 'projects/p/locations/r/services/atlantis/revisions/atlantis-00002-bad',
      latestReadyRevision: 'projects/p/locations/r/services/atlantis/revisions/atlantis-00001-ok',
      terminalCondition: { state: 'CONDITION_FAILED' },
    };
    const plan = servicePhase.plan(ctx, { service: failed, retired: [] });
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'retry failed revision atlantis-00002-bad' });
    expect(plan.decision.retry).toBe(failed.latestCreatedRevision);
  });

  it('names the Atlantis versions behind two digests when the image changes', async () => {
    const digest = (c: string) => `europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:${c.repeat(64)}`;
    const ctx = await ctxFor(undefined, { secretVersions: versions, image: digest('b') });
    const live = structuredClone(desiredState(ctx.config, { projectNumber: NUMBER, secretVersions: versions, image: digest('a') }).service);
    live.template!.annotations = { 'atlantis-run.dev/atlantis-version': 'v0.46.0' };
    const plan = servicePhase.plan(ctx, { service: live, retired: [] });
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'image: v0.46.0 → v0.47.1' });
    expect(plan.changes[0]?.fields).toEqual([{ path: 'template.containers[atlantis].image', from: digest('a'), to: digest('b') }]);
  });

  it('does not write a new revision only to add the version annotation; sends it along with other changes', async () => {
    const ctx = await ctxFor(undefined, { secretVersions: versions });
    const live = structuredClone(ctx.desired().service);
    delete live.template!.annotations;
    expect(servicePhase.plan(ctx, { service: live, retired: [] }).changes).toEqual([]);
    live.template!.timeout = '300s';
    const plan = servicePhase.plan(ctx, { service: live, retired: [] });
    expect(plan.changes[0]?.fields?.map((f) => f.path)).toEqual(['template.timeout']);
    expect(plan.decision.body.template?.annotations).toEqual({ 'atlantis-run.dev/atlantis-version': 'v0.47.1' });
  });

  it('returns traffic a rollback pinned to the latest revision, and says so; a service without traffic follows the latest', async () => {
    const ctx = await ctxFor(undefined, { secretVersions: versions });
    const unset = structuredClone(ctx.desired().service);
    delete unset.traffic;
    expect(servicePhase.plan(ctx, { service: unset, retired: [] }).changes).toEqual([]);
    const pinned = structuredClone(ctx.desired().service);
    pinned.traffic = [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'atlantis-00001-abc', percent: 100 }];
    const plan = servicePhase.plan(ctx, { service: pinned, retired: [] });
    expect(plan.changes[0]).toMatchObject({
      action: 'update',
      reason: 'traffic returns to the latest revision: a rollback pinned it to atlantis-00001-abc',
      fields: [{ path: 'traffic[0].type', from: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', to: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' }],
    });
    expect(plan.decision.body.traffic).toEqual([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  });

  it('refreshes the pins with the version numbers the secrets phase really added', async () => {
    const ctx = await ctxFor(undefined, { secretVersions: { ...versions, 'vcs-token': '2' } });
    const live = structuredClone(desiredState(ctx.config, { projectNumber: NUMBER, secretVersions: versions }).service);
    const planned = servicePhase.plan(ctx, { service: live, retired: [] }).decision;
    expect(planned.fields.map((f) => `${f.path}: ${String(f.from)} → ${String(f.to)}`)).toEqual([
      'template.containers[atlantis].env[ATLANTIS_GH_TOKEN].valueSource.secretKeyRef.version: 1 → 2',
    ]);
    // Another run added version 2 meanwhile: apply pins the 3 this run created, not the prediction.
    ctx.facts.secretVersions = { ...versions, 'vcs-token': '3' };
    expect(servicePhase.refresh!(ctx, planned).fields[0]?.to).toBe('3');
  });
});

describe('domain', () => {
  const config = `project: my-project
region: europe-west1
domain: atlantis.example.com
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
`;
  it('creates the mapping, and blocks a domain mapped to another service', async () => {
    const ctx = await ctxFor(config);
    expect(domainPhase.plan(ctx, { mapping: undefined }).decision.create).toBe(true);
    const other = { name: 'atlantis.example.com', routeName: 'grafana', ready: 'True', message: undefined, records: [] };
    expect(domainPhase.plan(ctx, { mapping: other }).blockers?.[0]?.message).toBe(
      'domain atlantis.example.com is already mapped to service grafana',
    );
  });
});
