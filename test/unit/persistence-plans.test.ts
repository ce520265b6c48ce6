// The persistence phases' plans against fixture live states (as phase-plans.test.ts does for the
// others): what each shows, blocks on and decides; the derived secret (Memorystore's AUTH string)
// decided at plan when the instance exists and again at apply when it is new; the bucket's bindings;
// the service's persistence warnings; and the desired service of each configuration. No Google.
import { describe, expect, it } from 'vitest';
import { desiredState } from '../../src/desired/index.js';
import { bucketDrift, plansBucketPhase } from '../../src/phases/plans-bucket.js';
import { networkPhase, subnetPhase } from '../../src/phases/network.js';
import { redisFacts, redisPhase } from '../../src/phases/redis.js';
import { filestorePhase } from '../../src/phases/filestore.js';
import { secretsPhase } from '../../src/phases/secrets.js';
import { bindingsPhase } from '../../src/phases/bindings.js';
import { servicePhase } from '../../src/phases/service.js';
import { persistenceOf, switchLosses } from '../../src/cloudrun/persistence.js';
import type { LiveSecret } from '../../src/secret-values/live.js';
import { sha256 } from '../../src/secret-values/values.js';
import { emptyLockfile } from '../../src/state/lockfile.js';
import { MINIMAL_CONFIG } from '../support/fixtures.js';
import { configOf, fakeRun, phaseContext } from '../support/phase-context.js';

const NUMBER = '123456789012';
const withPersistence = (block: string) => `${MINIMAL_CONFIG}persistence: ${block}\n`;

async function ctxFor(block: string, facts = {}, lock?: Parameters<typeof fakeRun>[1]) {
  const config = await configOf(withPersistence(block));
  return phaseContext(fakeRun(config, lock), { projectNumber: NUMBER, ...facts });
}

const READY_REDIS = {
  name: 'projects/my-project/locations/europe-west1/instances/atlantis-redis',
  displayName: 'Atlantis locks (atlantis)',
  labels: { 'managed-by': 'atlantis-run', 'atlantis-run-service': 'atlantis' },
  tier: 'BASIC',
  memorySizeGb: 1,
  authorizedNetwork: 'projects/my-project/global/networks/atlantis',
  connectMode: 'DIRECT_PEERING',
  authEnabled: true,
  transitEncryptionMode: 'DISABLED',
  host: '10.0.0.3',
  port: 6379,
  state: 'READY',
};

describe('network and subnet', () => {
  it('creates a custom mode network and a /26 subnet only when absent', async () => {
    const ctx = await ctxFor('{locks: redis}');
    expect(networkPhase.plan(ctx, { network: undefined })).toMatchObject({
      decision: { create: true },
      changes: [{ kind: 'VPC network', resource: 'atlantis', action: 'create', fields: [{ path: 'autoCreateSubnetworks', to: false }] }],
    });
    expect(networkPhase.plan(ctx, { network: { name: 'atlantis' } }).changes).toEqual([]);
    expect(subnetPhase.plan(ctx, { subnet: undefined }).changes[0]?.fields).toEqual([
      { path: 'network', to: 'atlantis' },
      { path: 'ipCidrRange', to: '10.8.0.0/26' },
    ]);
  });

  it('uses a named subnet as it is: blocks one of another network, warns about one smaller than /26', async () => {
    const ctx = await ctxFor('{locks: redis, network: {name: shared, subnet: shared-eu}}');
    const subnet = (network: string, range: string) => ({
      name: 'shared-eu',
      network: `https://www.googleapis.com/compute/v1/projects/p/global/networks/${network}`,
      ipCidrRange: range,
    });
    expect(subnetPhase.plan(ctx, { subnet: subnet('shared', '10.1.0.0/24') })).toMatchObject({ changes: [], decision: { create: false } });
    expect(subnetPhase.plan(ctx, { subnet: subnet('other', '10.1.0.0/24') }).blockers?.[0]?.message).toBe(
      'subnet shared-eu in europe-west1 belongs to network other, not shared',
    );
    expect(subnetPhase.plan(ctx, { subnet: subnet('shared', '10.1.0.0/28') }).warnings?.[0]?.message).toMatch(
      /is a \/28: Direct VPC egress/,
    );
    // A named network or subnet that does not exist yet is created: preflight asks for that permission too.
    expect(networkPhase.plan(ctx, { network: undefined })).toMatchObject({ decision: { create: true } });
    expect(networkPhase.permissions(ctx.config)).toContain('compute.networks.create');
    expect(subnetPhase.permissions(ctx.config)).toContain('compute.subnetworks.create');
  });
});

describe('plans bucket', () => {
  it('creates the regional bucket with its lifecycle, uniform access and public access prevention, priced', async () => {
    const ctx = await ctxFor('{plans: gcs, planRetentionDays: 14}');
    const plan = plansBucketPhase.plan(ctx, { bucket: undefined, foreign: false });
    expect(plan.decision).toEqual({ action: 'create' });
    expect(plan.changes[0]).toMatchObject({ resource: 'gs://my-project-atlantis-plans-europe-west1', reason: 'about $0.09 a month' });
    expect(ctx.desired().persistence.bucket!.body).toMatchObject({
      location: 'europe-west1',
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 14 } }] },
    });
  });

  it('patches drift, keeps other lifecycle rules, and blocks a bucket of another project or region', async () => {
    const ctx = await ctxFor('{plans: gcs}');
    const body = ctx.desired().persistence.bucket!.body;
    const archive = { action: { type: 'SetStorageClass', storageClass: 'ARCHIVE' }, condition: { matchesPrefix: ['x'] } };
    const drift = bucketDrift(body, {
      name: body.name,
      labels: { ...body.labels, team: 'infra' },
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'inherited' },
      lifecycle: { rule: [archive, { action: { type: 'Delete' }, condition: { age: 7 } }] },
    });
    expect(drift.changes.map((c) => c.path)).toEqual(['lifecycle.rule[Delete].condition.age', 'iamConfiguration.publicAccessPrevention']);
    expect(drift.fields.lifecycle?.rule).toEqual([archive, { action: { type: 'Delete' }, condition: { age: 30 } }]);
    expect(drift.fields.labels).toBeUndefined();
    const live = { ...body, location: 'EUROPE-WEST1', projectNumber: NUMBER };
    expect(plansBucketPhase.plan(ctx, { bucket: live, foreign: false }).decision).toEqual({ action: 'none' });
    expect(plansBucketPhase.plan(ctx, { bucket: { ...live, projectNumber: '999' }, foreign: false }).blockers?.[0]?.message).toMatch(
      /belongs to project 999/,
    );
    expect(plansBucketPhase.plan(ctx, { bucket: { ...live, location: 'US' }, foreign: false }).blockers?.[0]?.message).toMatch(
      /is in US, not in europe-west1: a bucket cannot move/,
    );
    expect(plansBucketPhase.plan(ctx, { bucket: undefined, foreign: true }).blockers?.[0]?.message).toMatch(/cannot read it/);
  });

  it('gives the runtime account roles/storage.objectUser on that bucket only', async () => {
    const ctx = await ctxFor('{plans: gcs}');
    const bucket = 'projects/_/buckets/my-project-atlantis-plans-europe-west1';
    expect(ctx.desired().bindings.filter((b) => b.role.startsWith('roles/storage'))).toEqual([
      { resource: bucket, role: 'roles/storage.objectUser', member: 'serviceAccount:atlantis-runtime@my-project.iam.gserviceaccount.com' },
    ]);
    const plan = bindingsPhase.plan(ctx, { policies: new Map() });
    expect([...plan.decision.edits.keys()]).toContain(bucket);
    expect(bindingsPhase.permissions(ctx.config)).toEqual(
      expect.arrayContaining(['storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy']),
    );
  });
});

describe('Memorystore', () => {
  it('creates a Basic 1 GiB instance with AUTH on a direct peering, priced, and predicts its address when READY', async () => {
    const ctx = await ctxFor('{locks: redis}');
    const create = redisPhase.plan(ctx, { instance: undefined, auth: undefined });
    expect(create.decision).toEqual({ action: 'create' });
    expect(create.changes[0]?.reason).toBe('$35.77 a month at list price; takes several minutes');
    const ready = redisPhase.plan(ctx, { instance: READY_REDIS, auth: 'the-auth-string' });
    expect(ready.decision).toEqual({ action: 'none' });
    expect(ready.facts?.redisEndpoint).toEqual({ host: '10.0.0.3', port: 6379 });
    expect(ready.facts?.derivedValues?.['redis-password']?.sha256).toBe(sha256(Buffer.from('the-auth-string')));
    expect(redisPhase.plan(ctx, { instance: { ...READY_REDIS, state: 'CREATING' }, auth: undefined }).decision).toEqual({ action: 'wait' });
  });

  it('updates what can change in place and blocks what cannot', async () => {
    const ctx = await ctxFor('{locks: redis, redis: {sizeGb: 2}}');
    const update = redisPhase.plan(ctx, { instance: { ...READY_REDIS, authEnabled: false }, auth: undefined });
    expect(update.decision).toMatchObject({ action: 'update', paths: ['memory_size_gb', 'auth_enabled'] });
    const tier = await ctxFor('{locks: redis, redis: {tier: standard}}');
    expect(redisPhase.plan(tier, { instance: READY_REDIS, auth: 'x' }).blockers?.[0]?.message).toBe(
      'Memorystore instance atlantis-redis has tier BASIC, the configuration wants STANDARD_HA: it cannot change in place',
    );
  });

  it('with in-transit encryption: TLS on port 6378, the server CA as a derived secret trusted through SSL_CERT_DIR', async () => {
    const ctx = await ctxFor('{locks: redis, redis: {transitEncryption: true}}');
    const instance = {
      ...READY_REDIS,
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
      port: 6378,
      serverCaCerts: [{ cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
    };
    const facts = redisFacts(instance, 'auth', true);
    expect(Object.keys(facts.derivedValues!)).toEqual(['redis-password', 'redis-ca']);
    const service = desiredState(ctx.config, { projectNumber: NUMBER, ...facts }).service;
    const container = service.template!.containers![0];
    const env = Object.fromEntries(container.env!.map((e) => [e.name, e.value ?? e.valueSource?.secretKeyRef?.secret]));
    expect(env).toMatchObject({
      ATLANTIS_REDIS_PORT: '6378',
      ATLANTIS_REDIS_TLS_ENABLED: 'true',
      SSL_CERT_DIR: '/etc/atlantis/redis-ca',
      ATLANTIS_REDIS_PASSWORD: 'atlantis-redis-password',
    });
    expect(service.template!.volumes).toContainEqual({
      name: 'redis-ca',
      secret: { secret: 'atlantis-redis-ca', items: [{ path: 'server-ca.pem', version: '<version-of:atlantis-redis-ca>' }] },
    });
  });
});

describe('the derived secret', () => {
  const secretOf = (d: ReturnType<typeof desiredState>['secrets'][number], over: Partial<LiveSecret> = {}): LiveSecret => ({
    desired: d,
    secret: undefined,
    versions: [],
    latest: undefined,
    value: undefined,
    latestSha: undefined,
    ...over,
  });
  const version = (n: number) => ({ name: `v/${n}`, version: String(n), state: 'ENABLED', createTime: undefined });

  it('is stored from a new instance at apply (decided again by refresh), and only when the AUTH string changed', async () => {
    const ctx = await ctxFor('{locks: redis}');
    const secrets = ctx.desired().secrets;
    const redis = secrets.find((s) => s.name === 'redis-password')!;
    expect(redis).toMatchObject({ spec: { origin: 'derived' }, source: { kind: 'derived' } });
    const others = secrets
      .filter((s) => s !== redis)
      .map((s) =>
        secretOf(s, { secret: { name: s.resourceName, labels: s.labels }, versions: [version(1)], latest: version(1), latestSha: 'x' }),
      );
    // The instance does not exist yet: version 1, from the instance once it exists.
    const pending = secretsPhase.plan(ctx, { secrets: [...others, secretOf(redis)] });
    expect(pending.changes.map((c) => c.resource)).toEqual(['atlantis-redis-password', 'atlantis-redis-password/versions/1']);
    expect(pending.changes[1]?.fields?.[0]?.to).toMatch(/^\(read from Memorystore instance atlantis-redis/);
    expect(pending.facts?.secretVersions?.['redis-password']).toBe('1');
    // Apply time: the redis phase has read the AUTH string.
    Object.assign(ctx.facts, redisFacts(READY_REDIS, 'auth-1', false));
    const refreshed = secretsPhase.refresh!(ctx, pending.decision);
    expect(refreshed.secrets.find((d) => d.live.desired.name === 'redis-password')?.add).toBe('derived');
    // Stored already with the same value: nothing to add.
    const stored = secretOf(redis, {
      secret: { name: redis.resourceName, labels: redis.labels },
      versions: [version(1)],
      latest: version(1),
      latestSha: sha256(Buffer.from('auth-1')),
    });
    expect(secretsPhase.plan(ctx, { secrets: [...others, stored] }).changes).toEqual([]);
    // AUTH turned off and on again: a new string, a new version.
    Object.assign(ctx.facts, redisFacts(READY_REDIS, 'auth-2', false));
    expect(secretsPhase.plan(ctx, { secrets: [...others, stored] }).changes.map((c) => c.resource)).toEqual([
      'atlantis-redis-password/versions/2',
    ]);
  });
});

describe('Filestore', () => {
  it('creates a Basic HDD 1 TiB instance and says its price first; blocks what cannot change', async () => {
    const ctx = await ctxFor('{dataDir: filestore, locks: redis}');
    const plan = filestorePhase.plan(ctx, { instance: undefined });
    expect(plan.changes[0]).toMatchObject({
      resource: 'atlantis-data (europe-west1-b)',
      reason: expect.stringMatching(/^\$163\.84 a month/),
    });
    expect(plan.warnings?.[0]?.message).toBe(
      'Filestore Basic HDD costs $163.84 a month for 1024 GiB (its minimum is 1 TiB), whether Atlantis uses it or not',
    );
    const live = {
      tier: 'BASIC_HDD',
      state: 'READY',
      fileShares: [{ name: 'atlantis', capacityGb: '1024' }],
      networks: [{ network: 'atlantis', ipAddresses: ['10.0.0.2'] }],
    };
    expect(filestorePhase.plan(ctx, { instance: live })).toMatchObject({
      decision: { action: 'none' },
      facts: { filestoreIp: '10.0.0.2' },
    });
    expect(
      filestorePhase.plan(ctx, { instance: { ...live, fileShares: [{ name: 'atlantis', capacityGb: '2048' }] } }).blockers?.[0]?.message,
    ).toBe('Filestore instance atlantis-data has 2048 GiB, the configuration says 1024');
  });

  it('mounts the share as the data dir, after a root sidecar made it Atlantis\u2019s, with Direct VPC egress', async () => {
    const ctx = await ctxFor('{dataDir: filestore, locks: redis}', {
      filestoreIp: '10.0.0.2',
      redisEndpoint: { host: '10.0.0.3', port: 6379 },
    });
    const template = ctx.desired().service.template!;
    expect(template.volumes![0]).toEqual({ name: 'atlantis-data', nfs: { server: '10.0.0.2', path: '/atlantis', readOnly: false } });
    const [atlantis, owner] = template.containers!;
    expect(atlantis.dependsOn).toEqual(['data-owner']);
    expect(owner).toMatchObject({
      name: 'data-owner',
      image: 'mirror.gcr.io/library/busybox:1.37',
      volumeMounts: [{ name: 'atlantis-data', mountPath: '/app/atlantis' }],
      resources: { limits: { cpu: '0.08', memory: '512Mi' } },
    });
    expect(owner.args![0]).toMatch(/^chown 100:1000 \/app\/atlantis && chmod 0770 \/app\/atlantis && exec httpd/);
    expect(template.vpcAccess).toEqual({
      networkInterfaces: [{ network: 'atlantis', subnetwork: 'atlantis' }],
      egress: 'PRIVATE_RANGES_ONLY',
    });
  });
});

describe('the service: switching persistence', () => {
  it('says what a switch loses, from the live spec to the desired one', async () => {
    const memory = await ctxFor('{plans: memory}');
    const redis = await ctxFor('{plans: gcs, locks: redis}', { redisEndpoint: { host: '10.0.0.3', port: 6379 } });
    const from = persistenceOf(memory.desired().service)!;
    const to = persistenceOf(redis.desired().service)!;
    expect(from).toEqual({ plans: 'memory', locks: 'local', dataDir: 'memory' });
    expect(to).toEqual({
      plans: 'gcs',
      bucket: 'gs://my-project-atlantis-plans-europe-west1',
      locks: 'redis',
      redis: '10.0.0.3:6379',
      dataDir: 'memory',
    });
    expect(switchLosses(from, to)).toEqual([
      expect.stringMatching(/^plans move to gs:\/\/my-project-atlantis-plans-europe-west1: plans made before this deploy/),
      expect.stringMatching(/^locks and pull-request statuses move to Redis/),
    ]);
    const plan = servicePhase.plan(redis, { service: memory.desired().service, retired: [] });
    expect(plan.warnings?.map((w) => w.message)).toHaveLength(2);
  });

  it('warns about a Memorystore instance the configuration no longer uses, and forgets one that is gone', async () => {
    const config = await configOf(MINIMAL_CONFIG);
    const lock = emptyLockfile('test', { project: config.project, region: config.region, service: config.service });
    lock.resources.redis = { name: 'projects/my-project/locations/europe-west1/instances/atlantis-redis' };
    const ctx = phaseContext(fakeRun(config, lock), { projectNumber: NUMBER });
    const retired = [{ key: 'redis', kind: 'redis' as const, name: 'projects/my-project/locations/europe-west1/instances/atlantis-redis' }];
    const still = servicePhase.plan(ctx, { service: undefined, retired: [{ ...retired[0], exists: true }] });
    expect(still.warnings?.[0]).toMatchObject({
      message: 'Memorystore instance atlantis-redis is no longer used by this configuration and still costs about $35.77 a month',
      hint: 'delete it once this deploy is done: gcloud redis instances delete atlantis-redis --region europe-west1 --project my-project',
    });
    const gone = servicePhase.plan(ctx, { service: undefined, retired: [{ ...retired[0], exists: false }] });
    expect(gone.warnings).toEqual([]);
    expect(gone.decision.forget).toEqual(['redis']);
  });
});
