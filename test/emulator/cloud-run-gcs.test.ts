// Cloud Run v2 `gcs` volumes (Cloud Storage FUSE) through the real @google-cloud/run client over
// gRPC and REST: the volume's shape and mount options are validated, the execution environment
// follows the feature, and a revision is Ready only when its bucket exists and its service account
// may mount it (read-only: Storage Object Viewer; read-write: Storage Object User), as documented.
import { ServicesClient, protos } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  clientOptions,
  FAST_POLLING,
  failureOf,
  grpcCodeOf,
  messageOf,
  projectsClient,
  restCall,
  TRANSPORTS,
  type Transport,
} from './clients.js';

type Service = protos.google.cloud.run.v2.IService;
type Volume = protos.google.cloud.run.v2.IVolume;
const IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';

function enumName(enumType: Record<string, unknown>, value: unknown): string {
  if (typeof value === 'number') return String(Object.entries(enumType).find(([, number]) => number === value)?.[0]);
  return String(value);
}

async function storage(emulator: RunningEmulator, method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${emulator.port}${path}`, {
    method,
    headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: ReturnType<typeof JSON.parse> = await response.json();
  return { status: response.status, json };
}

describe.each(TRANSPORTS)('Cloud Run gcs volumes over %s', (transport: Transport) => {
  const projectId = `rgcs-${transport}-project`;
  const location = 'europe-west1';
  const parent = `projects/${projectId}/locations/${location}`;
  const bucket = `rgcs-${transport}-plans`;
  const runtime = `atlantis-runtime@${projectId}.iam.gserviceaccount.com`;
  let emulator: RunningEmulator;
  let client: ServicesClient;

  const plansVolume = (gcs: protos.google.cloud.run.v2.IGCSVolumeSource): Volume => ({ name: 'plans', gcs });

  function service(volume: Volume, template: protos.google.cloud.run.v2.IRevisionTemplate = {}): Service {
    return {
      template: {
        serviceAccount: runtime,
        containers: [{ image: IMAGE, volumeMounts: [{ name: 'plans', mountPath: '/atlantis-plans' }] }],
        volumes: [volume],
        ...template,
      },
    };
  }

  /** Deploys and answers the revision's Ready condition (state, reason, message). */
  async function deploy(serviceId: string, spec: Service): Promise<{ state: string; reason: string; message: string; service: Service }> {
    const [operation] = await client.createService({ parent, serviceId, service: spec }, FAST_POLLING);
    await operation.promise().catch(() => undefined);
    const [read] = await client.getService({ name: `${parent}/services/${serviceId}` });
    const terminal = read.terminalCondition;
    return {
      state: enumName(protos.google.cloud.run.v2.Condition.State, terminal?.state),
      reason: enumName(protos.google.cloud.run.v2.Condition.CommonReason, terminal?.reason),
      message: terminal?.message ?? '',
      service: read,
    };
  }

  async function grant(role: string, member: string): Promise<void> {
    const policy = (await storage(emulator, 'GET', `/storage/v1/b/${bucket}/iam`)).json;
    const bindings = [...(policy.bindings as object[]), { role, members: [member] }];
    expect((await storage(emulator, 'PUT', `/storage/v1/b/${bucket}/iam`, { bindings })).status).toBe(200);
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    client = new ServicesClient(clientOptions(emulator, transport));
    emulator.setServiceEnabled(projectId, 'run.googleapis.com');
    emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
    expect((await restCall(emulator, 'POST', `/v1/projects/${projectId}/serviceAccounts`, { accountId: 'atlantis-runtime' })).status).toBe(
      200,
    );
    const created = await storage(emulator, 'POST', `/storage/v1/b?project=${projectId}`, {
      name: bucket,
      location,
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('validation: a bucket is required; mount options are gcsfuse flags without the leading "--"; gen1 is refused', async () => {
    const cases: Array<[Volume, protos.google.cloud.run.v2.IRevisionTemplate, string]> = [
      [plansVolume({ readOnly: true }), {}, 'template.volumes[0].gcs.bucket: Bucket name must be specified.'],
      [
        plansVolume({ bucket, mountOptions: ['--uid=100'] }),
        {},
        'template.volumes[0].gcs.mount_options[0]: Mount option "--uid=100" must be given without the leading "--" (e.g. "uid=100").',
      ],
      [
        plansVolume({ bucket, mountOptions: ['uid=100', ''] }),
        {},
        'template.volumes[0].gcs.mount_options[1]: Mount options must not be empty.',
      ],
      [
        plansVolume({ bucket, mountOptions: ['uid=100 gid=1000'] }),
        {},
        'template.volumes[0].gcs.mount_options[0]: Mount option "uid=100 gid=1000" must be a single flag or flag=value, without spaces.',
      ],
      [
        plansVolume({ bucket }),
        { executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN1' },
        'template.volumes[0]: Cloud Storage volumes are only supported in the second generation execution environment (EXECUTION_ENVIRONMENT_GEN2).',
      ],
    ];
    for (const [volume, template, message] of cases) {
      const error = await failureOf(() => client.createService({ parent, serviceId: 'invalid-gcs', service: service(volume, template) }));
      expect(grpcCodeOf(error)).toBe(3);
      expect(messageOf(error)).toBe(message);
    }
  });

  test('the volume comes back as sent; a revision gets no execution environment unless it mounts a gcs volume (then gen2)', async () => {
    const small = { containers: [{ image: IMAGE, resources: { limits: { cpu: '1', memory: '256Mi' } } }] };
    const without = await deploy('small-no-volume', { template: { ...small, serviceAccount: runtime } });
    expect(enumName(protos.google.cloud.run.v2.ExecutionEnvironment, without.service.template?.executionEnvironment)).toBe(
      'EXECUTION_ENVIRONMENT_UNSPECIFIED',
    );
    await grant('roles/storage.objectUser', `serviceAccount:${runtime}`);
    const volume = plansVolume({ bucket, readOnly: false, mountOptions: ['uid=100', 'gid=1000', 'file-mode=0640', 'dir-mode=0750'] });
    const withVolume = await deploy('small-gcs', {
      template: {
        serviceAccount: runtime,
        containers: [{ ...small.containers[0], volumeMounts: [{ name: 'plans', mountPath: '/atlantis-plans' }] }],
        volumes: [volume],
      },
    });
    expect(withVolume.state).toBe('CONDITION_SUCCEEDED');
    expect(enumName(protos.google.cloud.run.v2.ExecutionEnvironment, withVolume.service.template?.executionEnvironment)).toBe(
      'EXECUTION_ENVIRONMENT_GEN2',
    );
    expect(withVolume.service.template?.volumes?.[0]?.gcs).toMatchObject({
      bucket,
      mountOptions: ['uid=100', 'gid=1000', 'file-mode=0640', 'dir-mode=0750'],
    });
  });

  test('a missing bucket fails the revision: "does not exist" for an account that may list at project level, 403 otherwise', async () => {
    const gone = `${bucket}-gone`;
    const denied = await deploy('gcs-missing-bucket', service(plansVolume({ bucket: gone, readOnly: true })));
    expect(denied.state).toBe('CONDITION_FAILED');
    expect(denied.reason).toBe('REVISION_FAILED');
    expect(denied.message).toContain(
      `spec.template.spec.volumes[0].csi: Cloud Storage volume "plans" cannot be mounted: ${runtime} does not have storage.objects.list access to the Google Cloud Storage bucket. Permission 'storage.objects.list' denied on resource (or it may not exist).`,
    );
    const projects = projectsClient(emulator, transport);
    try {
      const [policy] = await projects.getIamPolicy({ resource: `projects/${projectId}` });
      await projects.setIamPolicy({
        resource: `projects/${projectId}`,
        policy: {
          ...policy,
          bindings: [...(policy.bindings ?? []), { role: 'roles/storage.objectViewer', members: [`serviceAccount:${runtime}`] }],
        },
      });
    } finally {
      await projects.close();
    }
    const missing = await deploy('gcs-missing-bucket-2', service(plansVolume({ bucket: gone, readOnly: true })));
    expect(missing.message).toMatch(
      /is not ready and cannot serve traffic\. spec\.template\.spec\.volumes\[0\]\.csi: Cloud Storage volume "plans" cannot be mounted: The specified bucket does not exist\.$/,
    );
  });
});

describe('Cloud Run gcs volumes: what the runtime account needs on the bucket', () => {
  const projectId = 'rgcs-access-project';
  const location = 'us-central1';
  const parent = `projects/${projectId}/locations/${location}`;
  const bucket = 'rgcs-access-plans';
  const reader = `plan-reader@${projectId}.iam.gserviceaccount.com`;
  let emulator: RunningEmulator;
  let client: ServicesClient;

  async function readyCondition(serviceId: string, serviceAccount: string, readOnly: boolean): Promise<{ state: string; message: string }> {
    const spec: Service = {
      template: {
        ...(serviceAccount ? { serviceAccount } : {}),
        containers: [{ image: IMAGE, volumeMounts: [{ name: 'plans', mountPath: '/atlantis-plans' }] }],
        volumes: [{ name: 'plans', gcs: { bucket, readOnly } }],
      },
    };
    const [operation] = await client.createService({ parent, serviceId, service: spec }, FAST_POLLING);
    await operation.promise().catch(() => undefined);
    const [read] = await client.getService({ name: `${parent}/services/${serviceId}` });
    return {
      state: enumName(protos.google.cloud.run.v2.Condition.State, read.terminalCondition?.state),
      message: read.terminalCondition?.message ?? '',
    };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    client = new ServicesClient(clientOptions(emulator, 'rest'));
    emulator.setServiceEnabled(projectId, 'run.googleapis.com');
    emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
    expect((await restCall(emulator, 'POST', `/v1/projects/${projectId}/serviceAccounts`, { accountId: 'plan-reader' })).status).toBe(200);
    expect((await storage(emulator, 'POST', `/storage/v1/b?project=${projectId}`, { name: bucket, location })).status).toBe(200);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('no grant: the revision fails naming the first missing permission', async () => {
    const result = await readyCondition('no-grant', reader, true);
    expect(result.state).toBe('CONDITION_FAILED');
    expect(result.message).toContain(`${reader} does not have storage.objects.get access to the Google Cloud Storage bucket.`);
  });

  test('Storage Object Viewer on the bucket: a read-only mount is Ready, a read-write one fails on storage.objects.create', async () => {
    const policy = (await storage(emulator, 'GET', `/storage/v1/b/${bucket}/iam`)).json;
    const bindings = [...(policy.bindings as object[]), { role: 'roles/storage.objectViewer', members: [`serviceAccount:${reader}`] }];
    expect((await storage(emulator, 'PUT', `/storage/v1/b/${bucket}/iam`, { bindings })).status).toBe(200);
    expect((await readyCondition('viewer-read-only', reader, true)).state).toBe('CONDITION_SUCCEEDED');
    const readWrite = await readyCondition('viewer-read-write', reader, false);
    expect(readWrite.state).toBe('CONDITION_FAILED');
    expect(readWrite.message).toContain(`${reader} does not have storage.objects.create access to the Google Cloud Storage bucket.`);
  });

  test('the Compute Engine default account mounts read-write through projectEditor on a bucket without uniform access', async () => {
    expect((await readyCondition('default-account', '', false)).state).toBe('CONDITION_SUCCEEDED');
  });

  test('a bucket fixed while the deploy runs counts (readiness is checked when the operation completes)', async () => {
    const slow = await startEmulator({ operationDelayMs: 300 });
    const slowClient = new ServicesClient(clientOptions(slow, 'rest'));
    try {
      slow.setServiceEnabled(projectId, 'run.googleapis.com');
      const [operation] = await slowClient.createService(
        {
          parent,
          serviceId: 'late-bucket',
          service: { template: { containers: [{ image: IMAGE }], volumes: [{ name: 'plans', gcs: { bucket: 'rgcs-late-bucket' } }] } },
        },
        FAST_POLLING,
      );
      expect((await storage(slow, 'POST', `/storage/v1/b?project=${projectId}`, { name: 'rgcs-late-bucket', location })).status).toBe(200);
      const [done] = await operation.promise();
      expect(enumName(protos.google.cloud.run.v2.Condition.State, done.terminalCondition?.state)).toBe('CONDITION_SUCCEEDED');
    } finally {
      await slowClient.close();
      await slow.close();
    }
  });
});
