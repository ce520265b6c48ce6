// Cloud Run v2 with Direct VPC egress and NFS volumes, through the real @google-cloud/run client over
// gRPC and REST: validation of `vpcAccess.networkInterfaces` and `nfs` volumes, and revision
// readiness against the networks and subnetworks of the emulator's Compute API (a missing network or
// subnetwork, a subnetwork in another region or of another network fails the revision).
import { ServicesClient, RevisionsClient, protos } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { clientOptions, FAST_POLLING, failureOf, grpcCodeOf, messageOf, TRANSPORTS } from './clients.js';
import { createVpc } from './networks.js';

const RUN = 'run.googleapis.com';
const COMPUTE = 'compute.googleapis.com';
const IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';
const REGION = 'us-central1';
const PATH = 'spec.template.metadata.annotations[run.googleapis.com/network-interfaces]';

type Service = protos.google.cloud.run.v2.IService;

function reasonName(value: unknown): string {
  const reasons = protos.google.cloud.run.v2.Condition.CommonReason as unknown as Record<string, number>;
  return typeof value === 'number' ? (Object.keys(reasons).find((key) => reasons[key] === value) ?? '') : String(value);
}

function withVpc(networkInterface: protos.google.cloud.run.v2.VpcAccess.INetworkInterface, extra: Service = {}): Service {
  return {
    template: {
      containers: [{ image: IMAGE }],
      vpcAccess: { networkInterfaces: [networkInterface], egress: 'PRIVATE_RANGES_ONLY' },
    },
    ...extra,
  };
}

describe.each(TRANSPORTS)('Cloud Run Direct VPC egress and NFS over %s', (transport) => {
  const projectId = `run-vpc-${transport}`;
  const parent = `projects/${projectId}/locations/${REGION}`;
  let emulator: RunningEmulator;
  let client: ServicesClient;
  let revisions: RevisionsClient;

  async function deploy(serviceId: string, service: Service): Promise<{ service: protos.google.cloud.run.v2.IService; error?: unknown }> {
    const [operation] = await client.createService({ parent, serviceId, service }, FAST_POLLING);
    let error: unknown;
    try {
      await operation.promise();
    } catch (caught) {
      error = caught;
    }
    const [read] = await client.getService({ name: `${parent}/services/${serviceId}` });
    return { service: read, error };
  }

  async function failureOfRevision(serviceId: string, service: Service): Promise<{ reason: string; message: string; error: unknown }> {
    const { service: read, error } = await deploy(serviceId, service);
    const [revision] = await revisions.getRevision({ name: read.latestCreatedRevision! });
    const ready = revision.conditions?.find((condition) => condition.type === 'Ready');
    return { reason: reasonName(ready?.reason), message: String(ready?.message ?? ''), error };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    client = new ServicesClient(clientOptions(emulator, transport));
    revisions = new RevisionsClient(clientOptions(emulator, transport));
    for (const api of [RUN, COMPUTE]) emulator.setServiceEnabled(projectId, api);
    await createVpc(emulator, projectId, 'atlantis', '10.8.0.0/26');
    await createVpc(emulator, projectId, 'europe', '10.9.0.0/26', 'europe-west1');
  });
  afterAll(async () => {
    await client.close();
    await revisions.close();
    await emulator.close();
  });

  test('a revision on an existing network and subnetwork of the region becomes Ready, in every name form', async () => {
    const forms: Array<[string, protos.google.cloud.run.v2.VpcAccess.INetworkInterface]> = [
      ['names', { network: 'atlantis', subnetwork: 'atlantis', tags: ['atlantis'] }],
      [
        'full',
        {
          network: `projects/${projectId}/global/networks/atlantis`,
          subnetwork: `projects/${projectId}/regions/${REGION}/subnetworks/atlantis`,
        },
      ],
      ['network-only', { network: 'atlantis' }],
      ['subnet-only', { subnetwork: 'atlantis' }],
    ];
    for (const [serviceId, networkInterface] of forms) {
      const { service, error } = await deploy(`vpc-${serviceId}`, withVpc(networkInterface));
      expect(error, serviceId).toBeUndefined();
      expect(service.latestReadyRevision, serviceId).toBe(service.latestCreatedRevision);
      expect(service.template?.vpcAccess?.networkInterfaces?.[0]).toMatchObject(networkInterface);
    }
  });

  test('a missing network fails the revision: VPC_NETWORK_NOT_FOUND, and the operation ends with code 13', async () => {
    const { reason, message, error } = await failureOfRevision('vpc-no-network', withVpc({ network: 'absent', subnetwork: 'atlantis' }));
    expect(reason).toBe('VPC_NETWORK_NOT_FOUND');
    expect(message).toBe(`${PATH}: The resource 'projects/${projectId}/global/networks/absent' was not found`);
    expect(grpcCodeOf(error)).toBe(13);
    expect(messageOf(error)).toContain('is not ready and cannot serve traffic.');
  });

  test('a missing subnetwork, or none named like the network, fails the revision', async () => {
    const missing = await failureOfRevision('vpc-no-subnet', withVpc({ network: 'atlantis', subnetwork: 'absent' }));
    expect(missing.message).toBe(`${PATH}: The resource 'projects/${projectId}/regions/${REGION}/subnetworks/absent' was not found`);
    // `europe` has its subnetwork in europe-west1 only: none named `europe` in us-central1.
    const byName = await failureOfRevision('vpc-implicit', withVpc({ network: 'europe' }));
    expect(byName.message).toBe(`${PATH}: The resource 'projects/${projectId}/regions/${REGION}/subnetworks/europe' was not found`);
  });

  test('a subnetwork in another region than the service fails the revision', async () => {
    const { reason, message } = await failureOfRevision(
      'vpc-other-region',
      withVpc({ subnetwork: `projects/${projectId}/regions/europe-west1/subnetworks/europe` }),
    );
    expect(reason).toBe('VPC_NETWORK_NOT_FOUND');
    expect(message).toBe(
      `${PATH}: Subnetwork 'projects/${projectId}/regions/europe-west1/subnetworks/europe' is in region europe-west1, but the service is in ${REGION}: Direct VPC egress needs a subnetwork in the service's region.`,
    );
  });

  test('a subnetwork of another network fails the revision', async () => {
    const { message } = await failureOfRevision('vpc-mismatch', withVpc({ network: 'default', subnetwork: 'atlantis' }));
    expect(message).toBe(
      `${PATH}: Subnetwork "projects/${projectId}/regions/${REGION}/subnetworks/atlantis" is not valid for Network "default".`,
    );
  });

  test('fixing the network makes the next revision Ready (checked when the deploy is done)', async () => {
    await createVpc(emulator, projectId, 'late', '10.10.0.0/26');
    const { service, error } = await deploy('vpc-late', withVpc({ network: 'late', subnetwork: 'late' }));
    expect(error).toBeUndefined();
    expect(service.latestReadyRevision).toBe(service.latestCreatedRevision);
  });

  test('validation: network and subnetwork forms, tags, connector vs network interfaces', async () => {
    const cases: Array<[string, Service, RegExp]> = [
      [
        'bad-network',
        withVpc({ network: 'projects/p/regions/r/networks/x' }),
        /template\.vpc_access\.network_interfaces\[0\]\.network: network: must be a network name/,
      ],
      [
        'bad-subnet',
        withVpc({ subnetwork: 'Not_A_Name' }),
        /template\.vpc_access\.network_interfaces\[0\]\.subnetwork: subnetwork: must be a subnetwork name/,
      ],
      [
        'bad-tag',
        withVpc({ network: 'atlantis', tags: ['Bad Tag'] }),
        /template\.vpc_access\.network_interfaces\[0\]\.tags\[0\]: Invalid network tag "Bad Tag"/,
      ],
      [
        'both',
        {
          template: {
            containers: [{ image: IMAGE }],
            vpcAccess: {
              connector: `projects/${projectId}/locations/${REGION}/connectors/c`,
              networkInterfaces: [{ network: 'atlantis' }],
            },
          },
        },
        /one and only one of connector and network_interfaces must be set/,
      ],
      ['empty-interface', withVpc({}), /at least one of network or subnetwork should not be empty/],
    ];
    for (const [serviceId, service, message] of cases) {
      const error = await failureOf(() => client.createService({ parent, serviceId, service }));
      expect(grpcCodeOf(error), serviceId).toBe(3);
      expect(messageOf(error), serviceId).toMatch(message);
    }
  });

  test('NFS volumes: server and absolute path required, refused on GEN1; a valid one deploys with Direct VPC egress', async () => {
    const nfsService = (
      nfs: protos.google.cloud.run.v2.INFSVolumeSource,
      executionEnvironment?: 'EXECUTION_ENVIRONMENT_GEN1',
    ): Service => ({
      template: {
        ...(executionEnvironment ? { executionEnvironment } : {}),
        containers: [{ image: IMAGE, volumeMounts: [{ name: 'data', mountPath: '/atlantis' }] }],
        volumes: [{ name: 'data', nfs }],
        vpcAccess: { networkInterfaces: [{ network: 'atlantis', subnetwork: 'atlantis' }], egress: 'PRIVATE_RANGES_ONLY' },
      },
    });
    const cases: Array<[string, Service, RegExp]> = [
      ['nfs-no-server', nfsService({ path: '/atlantis' }), /template\.volumes\[0\]\.nfs\.server: NFS server must be specified\./],
      ['nfs-no-path', nfsService({ server: '10.8.0.2' }), /template\.volumes\[0\]\.nfs\.path: NFS path must be specified\./],
      [
        'nfs-relative',
        nfsService({ server: '10.8.0.2', path: 'atlantis' }),
        /Invalid NFS path "atlantis": must be the absolute path the server exports\./,
      ],
      [
        'nfs-gen1',
        nfsService({ server: '10.8.0.2', path: '/atlantis' }, 'EXECUTION_ENVIRONMENT_GEN1'),
        /NFS volumes are only supported in the second generation execution environment/,
      ],
    ];
    for (const [serviceId, service, message] of cases) {
      const error = await failureOf(() => client.createService({ parent, serviceId, service }));
      expect(grpcCodeOf(error), serviceId).toBe(3);
      expect(messageOf(error), serviceId).toMatch(message);
    }
    const { service, error } = await deploy('nfs-ok', nfsService({ server: '10.8.0.2', path: '/atlantis', readOnly: false }));
    expect(error).toBeUndefined();
    expect(service.template?.volumes?.[0]?.nfs).toMatchObject({ server: '10.8.0.2', path: '/atlantis' });
    expect(service.template?.executionEnvironment).toBe('EXECUTION_ENVIRONMENT_GEN2');
  });
});
