// Persistence through the CLI against the emulator, for the four configurations the issue names:
// plans on Cloud Storage; + managed Redis (Memorystore); + an existing Redis; Filestore + managed
// Redis. Each deploys from an empty project, redeploys with no mutating call (with and without a
// lockfile), shows where plans and locks live in `status`, renders its volumes, env and vpcAccess,
// and is torn down by `destroy` (the plans bucket only with --purge-data). Live state is read back
// through the real clients (Memorystore, Filestore, Cloud Run) and the Storage and Compute REST APIs.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloudRedisClient } from '@google-cloud/redis';
import { CloudFilestoreManagerClient } from '@google-cloud/filestore';
import { ServicesClient } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { runCli, runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since, type Transport } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';
import { clientOptions, restCall } from './emulator/clients.js';

const PROJECT = 'my-project';
const REGION = 'europe-west1';
const SERVICE = `projects/${PROJECT}/locations/${REGION}/services/atlantis`;
const BUCKET = 'my-project-atlantis-plans-europe-west1';
const REDIS = `projects/${PROJECT}/locations/${REGION}/instances/atlantis-redis`;
const FILESTORE = `projects/${PROJECT}/locations/${REGION}-b/instances/atlantis-data`;
const SA = 'serviceAccount:atlantis-runtime@my-project.iam.gserviceaccount.com';
const REDIS_PASSWORD = 'external-redis-password-0123456789';

interface Case {
  name: string;
  transport: Transport;
  persistence: string;
  env?: NodeJS.ProcessEnv;
  plans: 'gcs' | 'memory';
  redis: 'memorystore' | 'external';
  filestore: boolean;
}

const CASES: Case[] = [
  { name: 'plans on Cloud Storage', transport: 'grpc', persistence: '  plans: gcs\n', plans: 'gcs', redis: 'external', filestore: false },
  {
    name: 'plans on Cloud Storage + Memorystore',
    transport: 'rest',
    persistence: '  plans: gcs\n  locks: redis\n',
    plans: 'gcs',
    redis: 'memorystore',
    filestore: false,
  },
  {
    name: 'plans on Cloud Storage + an existing Redis',
    transport: 'grpc',
    persistence:
      '  plans: gcs\n  locks: redis\n  redis: {host: redis.internal.example.com, port: 6380, db: 2, tls: true, password: {fromEnv: REDIS_PASSWORD}}\n',
    env: { REDIS_PASSWORD },
    plans: 'gcs',
    redis: 'external',
    filestore: false,
  },
  {
    name: 'Filestore + Memorystore',
    transport: 'rest',
    persistence: '  dataDir: filestore\n  locks: redis\n',
    plans: 'memory',
    redis: 'memorystore',
    filestore: true,
  },
];

const configOf = (c: Case) => `${MINIMAL_CONFIG}persistence:\n${c.persistence}`;
const lastJson = (stdout: string): Record<string, any> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
const usesRedis = (c: Case) => c.persistence.includes('locks: redis');

describe.each(CASES)('persistence: $name', (c) => {
  it('deploys from an empty project, converges with no change (also without a lockfile), shows itself, and is torn down', async () => {
    // Operations run long enough for the waits to report progress even on a loaded machine.
    const emu = await emulator({ operationDelayMs: 300 });
    const dir = projectDir(configOf(c));
    const env = emulatorEnv(emu, c.transport, c.env);

    // render: offline, the volumes, env and Direct VPC egress the service will get.
    const render = await runCli(['render', '--json'], { cwd: dir, env });
    expect(render.code, render.stderr).toBe(0);
    const rendered = lastJson(render.stdout);
    const template = rendered.service.template;
    const renderedEnv = Object.fromEntries((template.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e]));
    if (c.plans === 'gcs') {
      expect(template.volumes).toContainEqual({
        name: 'plans',
        gcs: { bucket: BUCKET, readOnly: false, mountOptions: ['uid=100', 'gid=1000', 'file-mode=0640', 'dir-mode=0750'] },
      });
      expect(renderedEnv.ATLANTIS_SHARE_PLAN_DIR.value).toBe('/atlantis-plans');
      expect(rendered.persistence.bucket).toMatchObject({
        location: REGION,
        lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
      });
    } else {
      expect(renderedEnv.ATLANTIS_SHARE_PLAN_DIR).toBeUndefined();
    }
    if (usesRedis(c)) expect(renderedEnv.ATLANTIS_LOCKING_DB_TYPE.value).toBe('redis');
    if (c.redis === 'memorystore' && usesRedis(c)) {
      expect(template.vpcAccess).toEqual({
        networkInterfaces: [{ network: 'atlantis', subnetwork: 'atlantis' }],
        egress: 'PRIVATE_RANGES_ONLY',
      });
      expect(renderedEnv.ATLANTIS_REDIS_HOST.value).toBe('<host-of:atlantis-redis>');
      expect(template.containers[0].startupProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 24 });
    } else {
      expect(template.vpcAccess).toBeUndefined();
    }
    if (c.filestore) {
      expect(template.volumes).toContainEqual({
        name: 'atlantis-data',
        nfs: { server: '<ip-of:atlantis-data>', path: '/atlantis', readOnly: false },
      });
      expect(template.containers.map((x: { name: string }) => x.name)).toEqual(['atlantis', 'data-owner']);
      expect(template.containers[0].dependsOn).toEqual(['data-owner']);
    }

    // 1. Deploy from an empty project.
    const first = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    // Memorystore and Filestore take minutes: their waits report progress.
    const progressOf = new Set(
      first.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; phase?: string })
        .filter((e) => e.type === 'operation-progress')
        .map((e) => e.phase),
    );
    if (c.redis === 'memorystore' && usesRedis(c)) expect(progressOf).toContain('redis');
    if (c.filestore) expect(progressOf).toContain('filestore');
    const run = new ServicesClient(clientOptions(emu, c.transport));
    const [service] = await run.getService({ name: SERVICE });
    expect(service.terminalCondition?.state).toBe('CONDITION_SUCCEEDED');
    const liveEnv = Object.fromEntries(service.template!.containers![0].env!.map((e) => [e.name, e]));

    if (c.plans === 'gcs') {
      const bucket = await restCall(emu, 'GET', `/storage/v1/b/${BUCKET}`);
      expect(bucket.status).toBe(200);
      expect(bucket.body).toMatchObject({
        location: REGION.toUpperCase(),
        iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
        lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
      });
      const policy = await restCall(emu, 'GET', `/storage/v1/b/${BUCKET}/iam`);
      expect(policy.body.bindings).toContainEqual({ role: 'roles/storage.objectUser', members: [SA] });
      // Bucket IAM only: the project's policy gives the runtime account nothing.
      const project = await restCall(emu, 'POST', `/v1/projects/${PROJECT}:getIamPolicy`, {});
      expect(JSON.stringify(project.body)).not.toContain('atlantis-runtime');
    }
    if (c.redis === 'memorystore' && usesRedis(c)) {
      const redis = new CloudRedisClient(clientOptions(emu, c.transport));
      const [instance] = await redis.getInstance({ name: REDIS });
      expect(instance).toMatchObject({ tier: 'BASIC', memorySizeGb: 1, authEnabled: true, connectMode: 'DIRECT_PEERING' });
      expect(instance.authorizedNetwork).toBe(`projects/${PROJECT}/global/networks/atlantis`);
      expect(liveEnv.ATLANTIS_REDIS_HOST!.value).toBe(instance.host);
      expect(liveEnv.ATLANTIS_REDIS_PORT!.value).toBe('6379');
      // The AUTH string is stored as a secret the tool owns, and the service is pinned to its version.
      const [auth] = await redis.getInstanceAuthString({ name: REDIS });
      const secrets = new SecretManagerServiceClient(clientOptions(emu, c.transport));
      const [version] = await secrets.accessSecretVersion({ name: `projects/${PROJECT}/secrets/atlantis-redis-password/versions/1` });
      expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe(auth.authString);
      expect(liveEnv.ATLANTIS_REDIS_PASSWORD!.valueSource?.secretKeyRef).toMatchObject({ secret: 'atlantis-redis-password', version: '1' });
      // The AUTH string is a secret: never in output, the lockfile or the debug logs.
      const logs = path.join(dir, '.atlantis-run', 'logs');
      const logTexts = readdirSync(logs).map((f) => readFileSync(path.join(logs, f), 'utf8'));
      for (const text of [first.stdout, first.stderr, readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8'), ...logTexts])
        expect(text).not.toContain(auth.authString);
      const subnet = await restCall(emu, 'GET', `/compute/v1/projects/${PROJECT}/regions/${REGION}/subnetworks/atlantis`);
      expect(subnet.body).toMatchObject({ ipCidrRange: '10.8.0.0/26' });
      await redis.close();
      await secrets.close();
    }
    if (c.redis === 'external' && usesRedis(c)) {
      expect(liveEnv.ATLANTIS_REDIS_HOST!.value).toBe('redis.internal.example.com');
      expect(liveEnv.ATLANTIS_REDIS_PORT!.value).toBe('6380');
      expect(liveEnv.ATLANTIS_REDIS_DB!.value).toBe('2');
      expect(liveEnv.ATLANTIS_REDIS_TLS_ENABLED!.value).toBe('true');
      expect(liveEnv.ATLANTIS_REDIS_PASSWORD!.valueSource?.secretKeyRef).toMatchObject({ secret: 'atlantis-redis-password', version: '1' });
      expect(first.stdout + first.stderr).not.toContain(REDIS_PASSWORD);
      expect(service.template!.vpcAccess?.networkInterfaces ?? []).toEqual([]);
    }
    if (c.filestore) {
      const filestore = new CloudFilestoreManagerClient(clientOptions(emu, c.transport));
      const [instance] = await filestore.getInstance({ name: FILESTORE });
      expect(instance).toMatchObject({ tier: 'BASIC_HDD', state: 'READY' });
      const volume = service.template!.volumes!.find((v) => v.name === 'atlantis-data')!;
      expect(volume.nfs).toMatchObject({ server: instance.networks![0].ipAddresses![0], path: '/atlantis' });
      expect(liveEnv.ATLANTIS_DATA_DIR!.value).toBe('/app/atlantis');
      await filestore.close();
    }

    // 2. Nothing changed: no mutating call — and none on a fresh runner without the lockfile.
    const noop = since(emu);
    const second = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(lastJson(second.stdout).changes).toBe(0);
    expect(mutatingCalls(noop())).toEqual([]);
    rmSync(path.join(dir, 'atlantis-run.lock'));
    const fresh = since(emu);
    const third = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
    expect(third.code, third.stderr).toBe(0);
    expect(mutatingCalls(fresh())).toEqual([]);

    // 3. status: where plans and locks live, and whether what holds them is healthy.
    const status = await runCli(['status', '--json'], { cwd: dir, env });
    expect(status.code, status.stderr).toBe(0);
    const persistence = lastJson(status.stdout).persistence;
    expect(persistence.plans).toMatchObject({
      where: c.plans === 'gcs' ? `gs://${BUCKET}` : c.filestore ? 'the data dir on Filestore' : 'memory (the data dir)',
      healthy: true,
    });
    expect(persistence.locks.healthy).toBe(true);
    if (c.redis === 'memorystore' && usesRedis(c))
      expect(persistence.locks.where).toMatch(/^Memorystore atlantis-redis \(10\.\d+\.\d+\.\d+:6379\)$/);
    if (c.filestore) expect(persistence.dataDir).toMatchObject({ where: expect.stringMatching(/^Filestore atlantis-data/), healthy: true });
    expect(persistence.running).toMatchObject({
      plans: c.plans,
      locks: usesRedis(c) ? 'redis' : 'local',
      dataDir: c.filestore ? 'filestore' : 'memory',
    });
    const text = await runCli(['status'], { cwd: dir, env });
    expect(text.stdout).toContain('Persistence:');
    if (c.plans === 'gcs') {
      // The runtime account's access to the bucket taken away: status says plans are not healthy, and why; deploy repairs it.
      const policy = (await restCall(emu, 'GET', `/storage/v1/b/${BUCKET}/iam`)).body as { bindings: { role: string }[] };
      policy.bindings = policy.bindings.filter((b) => b.role !== 'roles/storage.objectUser');
      expect((await restCall(emu, 'PUT', `/storage/v1/b/${BUCKET}/iam`, policy)).status).toBe(200);
      const broken = lastJson((await runCli(['status', '--json'], { cwd: dir, env })).stdout).persistence;
      expect(broken.plans).toMatchObject({
        healthy: false,
        detail: 'atlantis-runtime@my-project.iam.gserviceaccount.com lacks roles/storage.objectUser on it',
      });
      expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
      expect(lastJson((await runCli(['status', '--json'], { cwd: dir, env })).stdout).persistence.plans.healthy).toBe(true);
    }

    // 4. destroy: Memorystore, Filestore and the network go; the plans bucket stays without --purge-data.
    const destroy = await runCli(['destroy', '-y', '--json'], { cwd: dir, env });
    expect(destroy.code, destroy.stderr).toBe(0);
    const deleted = (lastJson(destroy.stdout).deleted as { kind: string; resource: string }[]).map((d) => d.kind);
    if (c.redis === 'memorystore' && usesRedis(c))
      expect(deleted).toEqual(expect.arrayContaining(['Memorystore for Redis instance', 'VPC network', 'VPC subnet']));
    if (c.filestore) expect(deleted).toContain('Filestore instance (and the data dir on it)');
    if (c.redis === 'memorystore' && usesRedis(c))
      expect((await restCall(emu, 'GET', `/compute/v1/projects/${PROJECT}/global/networks/atlantis`)).status).toBe(404);
    if (c.plans === 'gcs') {
      expect(lastJson(destroy.stdout).kept).toContain(`gs://${BUCKET}`);
      expect((await restCall(emu, 'GET', `/storage/v1/b/${BUCKET}`)).status).toBe(200);
      const purge = await runCli(['destroy', '-y', '--json', '--purge-data'], { cwd: dir, env });
      expect(purge.code, purge.stderr).toBe(0);
      expect((await restCall(emu, 'GET', `/storage/v1/b/${BUCKET}`)).status).toBe(404);
    }
    await run.close();
  });

  it('converges after being killed with SIGKILL in the middle of creating it', async () => {
    const emu = await emulator({ operationDelayMs: 300 });
    const dir = projectDir(configOf(c));
    const env = emulatorEnv(emu, 'grpc', c.env);
    const calls = since(emu);
    // Killed while its slowest resource is being created: the Filestore or Memorystore instance
    // (their operations run for the emulator's --operation-delay), else the plans bucket.
    const creates = c.filestore
      ? /CloudFilestoreManager\/CreateInstance/
      : c.redis === 'memorystore' && usesRedis(c)
        ? /CloudRedis\/CreateInstance/
        : /Storage\/InsertBucket/;
    let child: import('node:child_process').ChildProcess | undefined;
    const running = runCliProcess(['deploy', '-y'], { cwd: dir, env, onSpawn: (p) => (child = p) });
    let killed = false;
    const watcher = setInterval(() => {
      if (!killed && mutatingCalls(calls()).some((e) => creates.test(e.method))) {
        killed = true;
        child!.kill('SIGKILL');
      }
    }, 2);
    const outcome = await running;
    clearInterval(watcher);
    expect(killed, outcome.stderr).toBe(true);

    const rerun = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    const again = since(emu);
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    expect(mutatingCalls(again())).toEqual([]);
    // One of each: the instance was created once (the rerun waited for it), no duplicate secret versions.
    const created = mutatingCalls(calls()).filter((e) => creates.test(e.method) && e.status === 'OK');
    expect(created).toHaveLength(1);
    const secrets = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    if (usesRedis(c)) {
      const [versions] = await secrets.listSecretVersions({ parent: `projects/${PROJECT}/secrets/atlantis-redis-password` });
      expect(versions).toHaveLength(1);
    }
    await secrets.close();
  });
});

describe('persistence: Memorystore with in-transit encryption', () => {
  it('stores the server CA as a derived secret, mounts it for SSL_CERT_DIR, and connects with TLS on 6378', async () => {
    const emu = await emulator();
    const dir = projectDir(`${MINIMAL_CONFIG}persistence: {locks: redis, redis: {transitEncryption: true}}\n`);
    const env = emulatorEnv(emu, 'grpc');
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code, deploy.stderr).toBe(0);
    const redis = new CloudRedisClient(clientOptions(emu, 'grpc'));
    const [instance] = await redis.getInstance({ name: REDIS });
    expect(instance.transitEncryptionMode).toBe('SERVER_AUTHENTICATION');
    const secrets = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const [ca] = await secrets.accessSecretVersion({ name: `projects/${PROJECT}/secrets/atlantis-redis-ca/versions/1` });
    expect(Buffer.from(ca.payload!.data as Uint8Array).toString()).toBe(`${instance.serverCaCerts![0].cert!.trim()}\n`);
    const run = new ServicesClient(clientOptions(emu, 'grpc'));
    const [service] = await run.getService({ name: SERVICE });
    const env0 = Object.fromEntries(service.template!.containers![0].env!.map((e) => [e.name, e.value]));
    expect(env0).toMatchObject({ ATLANTIS_REDIS_PORT: '6378', ATLANTIS_REDIS_TLS_ENABLED: 'true', SSL_CERT_DIR: '/etc/atlantis/redis-ca' });
    const noop = since(emu);
    rmSync(path.join(dir, 'atlantis-run.lock'));
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    expect(mutatingCalls(noop())).toEqual([]);
    await Promise.all([redis.close(), secrets.close(), run.close()]);
  });
});

describe('persistence: adopting what another run created meanwhile', () => {
  it('adopts a plans bucket created between the plan and the apply (409 "you already own it"), and fixes its settings', async () => {
    const emu = await emulator({ operationDelayMs: 400 });
    const dir = projectDir(`${MINIMAL_CONFIG}persistence: {plans: gcs}\n`);
    let created: Promise<unknown> | undefined;
    let reads = 0;
    const result = await runCli(['deploy', '-y', '--json'], {
      cwd: dir,
      env: emulatorEnv(emu, 'grpc'),
      // Once every read is done — the second time, under the run lock — and the plan says "create",
      // someone else creates the bucket, bare.
      onStdoutLine: (line) => {
        const event = JSON.parse(line) as { type: string; phase?: string };
        if (event.type === 'phase-end' && event.phase === 'refresh') reads += 1;
        if (!created && reads === 2) {
          created = restCall(emu, 'POST', `/storage/v1/b?project=${PROJECT}`, { name: BUCKET, location: REGION });
        }
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await created) as { status: number }).toMatchObject({ status: 200 });
    const inserts = emu.requestLog().filter((e) => e.method.endsWith('/InsertBucket') && e.resource.includes(BUCKET));
    expect(inserts.map((e) => e.status)).toEqual(['OK', 'ALREADY_EXISTS']);
    const bucket = await restCall(emu, 'GET', `/storage/v1/b/${BUCKET}`);
    expect(bucket.body).toMatchObject({
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    });
  });
});

describe('persistence: a network made by someone else meanwhile', () => {
  it('is used but not owned: no "created" line, and destroy removes only the subnet made in it', async () => {
    const emu = await emulator();
    const dir = projectDir(`${MINIMAL_CONFIG}persistence:\n  locks: redis\n`);
    const env = emulatorEnv(emu, 'rest');
    let reads = 0;
    const deployed = await runCli(['deploy', '-y', '--json'], {
      cwd: dir,
      env,
      // Every read done (the second time under the run lock) and the plan says "create": the
      // network appears, made by someone else (no atlantis-run description).
      onStdoutLine: (line) => {
        const event = JSON.parse(line) as { type: string; phase?: string };
        if (event.type === 'phase-end' && event.phase === 'refresh' && ++reads === 2) {
          emu.mutate((services) =>
            services.networks.saveNetwork({
              projectId: PROJECT,
              name: 'atlantis',
              id: '4242424242424242424',
              creationTimestamp: '2026-11-30T01:00:00.000-08:00',
              fields: { autoCreateSubnetworks: false },
              ready: true,
            }),
          );
        }
      },
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(reads).toBe(2);
    const inserts = emu.requestLog().filter((e) => /etworks\/Insert$/.test(e.method));
    expect(inserts.map((e) => `${e.method.replace(/^.*\.v1\./, '')} ${e.status}`)).toEqual([
      'Networks/Insert ALREADY_EXISTS',
      'Subnetworks/Insert OK',
    ]);
    const changed = deployed.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; kind?: string; planned?: boolean })
      .filter((event) => event.type === 'resource-changed' && !event.planned)
      .map((event) => event.kind);
    expect(changed).not.toContain('VPC network');
    expect(changed).toContain('VPC subnet');
    const { resources } = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')) as { resources: Record<string, any> };
    expect(resources.network).toEqual({ name: 'atlantis', owned: false });
    expect(resources.subnet).toMatchObject({ name: 'atlantis', owned: true });

    const destroyed = await runCli(['destroy', '-y'], { cwd: dir, env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    const base = `/compute/v1/projects/${PROJECT}`;
    expect((await restCall(emu, 'GET', `${base}/global/networks/atlantis`)).status).toBe(200);
    expect((await restCall(emu, 'GET', `${base}/regions/${REGION}/subnetworks/atlantis`)).status).toBe(404);
  });
});

describe('persistence: a network of your own', () => {
  it('uses an existing network and subnet as they are (no network created), and destroy keeps them', async () => {
    const emu = await emulator();
    emu.setServiceEnabled(PROJECT, 'compute.googleapis.com');
    const base = `/compute/v1/projects/${PROJECT}`;
    const wait = async (operation: { name: string }, scope: string) =>
      expect((await restCall(emu, 'POST', `${base}/${scope}/operations/${operation.name}/wait`)).body).toMatchObject({ status: 'DONE' });
    const network = await restCall(emu, 'POST', `${base}/global/networks`, { name: 'shared', autoCreateSubnetworks: false });
    await wait(network.body as { name: string }, 'global');
    const subnet = await restCall(emu, 'POST', `${base}/regions/${REGION}/subnetworks`, {
      name: 'shared-eu',
      network: `projects/${PROJECT}/global/networks/shared`,
      ipCidrRange: '10.20.0.0/24',
    });
    await wait(subnet.body as { name: string }, `regions/${REGION}`);

    const dir = projectDir(`${MINIMAL_CONFIG}persistence:\n  locks: redis\n  network: {name: shared, subnet: shared-eu}\n`);
    const env = emulatorEnv(emu, 'grpc');
    const calls = since(emu);
    const deployed = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
    expect(deployed.code, deployed.stderr).toBe(0);
    const made = mutatingCalls(calls()).map((e) => e.method);
    expect(made.filter((m) => /\.(Networks|Subnetworks)\//.test(m))).toEqual([]);
    expect(made).toContain('google.cloud.redis.v1.CloudRedis/CreateInstance');
    const run = new ServicesClient(clientOptions(emu, 'grpc'));
    const [service] = await run.getService({ name: SERVICE });
    await run.close();
    expect(service.template?.vpcAccess?.networkInterfaces?.[0]).toMatchObject({ network: 'shared', subnetwork: 'shared-eu' });

    const destroyed = await runCli(['destroy', '-y'], { cwd: dir, env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect((await restCall(emu, 'GET', `${base}/global/networks/shared`)).status).toBe(200);
    expect((await restCall(emu, 'GET', `${base}/regions/${REGION}/subnetworks/shared-eu`)).status).toBe(200);
  });
});

describe('persistence: switching and refusing', () => {
  it('says what a switch from memory to plans on Cloud Storage and Redis loses, then converges', async () => {
    const emu = await emulator();
    const dir = projectDir(MINIMAL_CONFIG);
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), `${MINIMAL_CONFIG}persistence: {plans: gcs, locks: redis}\n`);
    const planned = await runCli(['plan'], { cwd: dir, env });
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stderr).toMatch(/plans move to gs:\/\/my-project-atlantis-plans-europe-west1: plans made before this deploy/);
    expect(planned.stderr).toMatch(/locks and pull-request statuses move to Redis/);
    expect(planned.stdout).toMatch(/\+ Memorystore for Redis instance atlantis-redis \(europe-west1\)\s+\(\$35\.77 a month/);
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);

    // And back: the Memorystore instance is no longer used and still costs money — the plan says so.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), MINIMAL_CONFIG);
    const back = await runCli(['plan'], { cwd: dir, env });
    expect(back.stderr).toMatch(/locks and pull-request statuses move back to BoltDB/);
    expect(back.stderr).toMatch(
      /Memorystore instance atlantis-redis is no longer used by this configuration and still costs about \$35\.77 a month/,
    );
    expect(back.stderr).toContain('gcloud redis instances delete atlantis-redis --region europe-west1');
  });

  it('refuses Filestore with local locks, and plans on Cloud Storage before Atlantis v0.47.0, before any call', async () => {
    const emu = await emulator();
    const env = emulatorEnv(emu, 'grpc');
    const calls = since(emu);
    const filestore = await runCli(['deploy', '-y'], { cwd: projectDir(`${MINIMAL_CONFIG}persistence: {dataDir: filestore}\n`), env });
    expect(filestore.code).toBe(2);
    expect(filestore.stderr).toMatch(
      /persistence\.dataDir: filestore needs locks: redis: BoltDB keeps its locks in a file, NFS has no locking/,
    );
    const old = await runCli(['deploy', '-y'], {
      cwd: projectDir(`${MINIMAL_CONFIG.replace('atlantis:\n', 'atlantis:\n  version: v0.46.0\n')}persistence: {plans: gcs}\n`),
      env,
    });
    expect(old.code).toBe(2);
    expect(old.stderr).toContain(
      'persistence.plans: gcs needs Atlantis v0.47.0 or newer (--share-plan-dir), and atlantis.version is v0.46.0',
    );
    // The Memorystore AUTH string is the instance's: pushing another value by hand is refused.
    const managed = projectDir(`${MINIMAL_CONFIG}persistence: {locks: redis}\n`, { 'auth.txt': 'not-the-auth-string' });
    const push = await runCli(['secrets', 'push', 'redis-password', '--from-file', 'auth.txt'], { cwd: managed, env });
    expect(push.code).toBe(2);
    expect(push.stderr).toContain(
      'redis-password is read from Memorystore instance atlantis-redis (GetInstanceAuthString): it is not pushed by hand',
    );
    expect(calls()).toEqual([]);
  });
});
