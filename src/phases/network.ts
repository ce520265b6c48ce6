// Network and subnet: the VPC that Memorystore and Filestore peer with and that the service reaches
// by Direct VPC egress. Each is used as it is when it exists (the user's), or created — custom mode,
// marked by its description as the tool's — when it does not. `destroy` deletes only what carries
// that mark, and only once the instances that hold ranges in it are gone (they need it).
import { OperationError } from '../errors.js';
import { absentIfDisabled, progress, type RunContext } from '../engine/context.js';
import { definePhase, type PhasePlan, type PlannedChange } from '../engine/phase.js';
import { desiredState } from '../desired/index.js';
import { MANAGED_DESCRIPTION, type DesiredNetwork } from '../desired/persistence.js';
import {
  deleteNetwork,
  deleteSubnetwork,
  getNetwork,
  getSubnetwork,
  insertNetwork,
  insertSubnetwork,
  lastSegment,
  type Network,
  type Subnetwork,
} from '../gcp/apis/compute.js';
import { existing } from '../gcp/call.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { lockRecord, recordKey } from '../state/lockfile.js';
import { persistenceSettings } from '../config/persistence.js';

export const NETWORK_RECORD = recordKey<{ name: string; owned: boolean }>('network');
export const SUBNET_RECORD = recordKey<{ name: string; region: string; range: string; owned: boolean }>('subnet');

const COMPUTE = 'compute.googleapis.com';

/** The network the configuration wants (desired state), when it wants one. */
function wanted(ctx: Pick<RunContext, 'config'>): DesiredNetwork | undefined {
  return desiredState(ctx.config).persistence.network;
}

const ours = (resource: { description?: string } | undefined, service: string) => resource?.description === MANAGED_DESCRIPTION(service);

export const networkPhase = definePhase({
  name: 'network',
  title: 'VPC network',
  needs: ['apis', 'domain-owner'],
  enabled: (config) => persistenceSettings(config).network !== undefined,
  apis: () => [COMPUTE],
  // Create too, as every phase declares it: a named network that does not exist yet is created.
  permissions: () => ['compute.networks.get', 'compute.networks.create', 'compute.globalOperations.get'],
  clients: ['token'],
  record: NETWORK_RECORD,

  async read(ctx): Promise<{ network: Network | undefined }> {
    const n = wanted(ctx)!;
    return { network: await absentIfDisabled(ctx, getNetwork(ctx.gcp, ctx.config.project, n.network), undefined) };
  },

  plan(ctx, live): PhasePlan<{ create: boolean }> {
    const n = wanted(ctx)!;
    if (live.network) return { changes: [], decision: { create: false } };
    return {
      changes: [
        {
          kind: 'VPC network',
          resource: n.network,
          action: 'create',
          fields: [{ path: 'autoCreateSubnetworks', to: false }],
          reason: 'for Direct VPC egress; no charge',
        },
      ],
      decision: { create: true },
    };
  },

  async apply(ctx, { create }) {
    const n = wanted(ctx)!;
    // Found by the insert (made meanwhile by someone else, or by a run killed after its insert):
    // ours only if it carries our description.
    let found = false;
    if (create) {
      try {
        await insertNetwork(
          ctx.gcp,
          ctx.config.project,
          { name: n.network, description: n.description, autoCreateSubnetworks: false },
          { timeoutMs: ctx.waitTimeoutMs, onProgress: progress(ctx.emit, 'network', 'creating network', n.network) },
        );
      } catch (err) {
        // The network is there, perhaps still being inserted: the subnet's insert then says so,
        // and the next run goes on.
        if (!isAlreadyExists(err)) throw err;
        found = true;
      }
      if (!found) ctx.emit({ type: 'resource-changed', phase: 'network', kind: 'VPC network', resource: n.network, action: 'create' });
    }
    const made = create && !found;
    const live = made ? undefined : await getNetwork(ctx.gcp, ctx.config.project, n.network);
    return { record: { name: n.network, owned: made || ours(live, ctx.config.service) }, summary: n.network };
  },

  teardown: {
    async read(ctx) {
      const name = wanted(ctx)?.network ?? lockRecord(ctx.lock, NETWORK_RECORD)?.name;
      if (!name) return undefined;
      const network = await existing(getNetwork(ctx.gcp, ctx.config.project, name));
      return network && ours(network, ctx.config.service) ? name : undefined;
    },
    plan: (ctx, name) => ({
      steps: name
        ? [
            {
              kind: 'VPC network',
              resource: name,
              run: async () =>
                void (await deleteNetwork(ctx.gcp, ctx.config.project, name, {
                  timeoutMs: ctx.waitTimeoutMs,
                  onProgress: progress(ctx.emit, 'destroy', 'deleting network', name),
                })),
            },
          ]
        : [],
    }),
  },
});

interface SubnetDecision {
  create: boolean;
}

export const subnetPhase = definePhase({
  name: 'subnet',
  title: 'VPC subnet',
  needs: ['network'],
  enabled: (config) => persistenceSettings(config).network !== undefined,
  apis: () => [COMPUTE],
  permissions: () => ['compute.subnetworks.get', 'compute.subnetworks.create', 'compute.regionOperations.get'],
  clients: ['token'],
  record: SUBNET_RECORD,

  async read(ctx): Promise<{ subnet: Subnetwork | undefined }> {
    const n = wanted(ctx)!;
    return { subnet: await absentIfDisabled(ctx, getSubnetwork(ctx.gcp, ctx.config.project, ctx.config.region, n.subnet), undefined) };
  },

  plan(ctx, live): PhasePlan<SubnetDecision> {
    const n = wanted(ctx)!;
    const changes: PlannedChange[] = [];
    const blockers: Error[] = [];
    const warnings: { message: string; hint?: string }[] = [];
    if (!live.subnet) {
      changes.push({
        kind: 'VPC subnet',
        resource: `${n.subnet} (${ctx.config.region})`,
        action: 'create',
        fields: [
          { path: 'network', to: n.network },
          { path: 'ipCidrRange', to: n.range },
        ],
      });
      return { changes, decision: { create: true } };
    }
    if (lastSegment(live.subnet.network) !== n.network) {
      blockers.push(
        new OperationError(
          `subnet ${n.subnet} in ${ctx.config.region} belongs to network ${lastSegment(live.subnet.network)}, not ${n.network}`,
          {
            hint: 'name the subnet of your network in persistence.network.subnet, or the network of this subnet in persistence.network.name',
          },
        ),
      );
    }
    const prefix = Number(live.subnet.ipCidrRange.split('/')[1]);
    if (prefix > 26) {
      warnings.push({
        message: `subnet ${n.subnet} is a /${prefix}: Direct VPC egress takes about two addresses per instance, and Google asks for /26 or larger`,
        hint: 'a deploy can fail to find addresses while the old and new revision overlap; use a larger subnet',
      });
    }
    return { changes, blockers, warnings, decision: { create: false } };
  },

  async apply(ctx, { create }) {
    const n = wanted(ctx)!;
    if (create) {
      try {
        await insertSubnetwork(
          ctx.gcp,
          ctx.config.project,
          ctx.config.region,
          { name: n.subnet, description: n.description, network: n.networkPath, ipCidrRange: n.range, privateIpGoogleAccess: true },
          { timeoutMs: ctx.waitTimeoutMs, onProgress: progress(ctx.emit, 'subnet', 'creating subnet', n.subnet) },
        );
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      ctx.emit({
        type: 'resource-changed',
        phase: 'subnet',
        kind: 'VPC subnet',
        resource: `${n.subnet} (${ctx.config.region})`,
        action: 'create',
      });
    }
    const live = await getSubnetwork(ctx.gcp, ctx.config.project, ctx.config.region, n.subnet);
    return {
      record: { name: n.subnet, region: ctx.config.region, range: live?.ipCidrRange ?? n.range, owned: ours(live, ctx.config.service) },
      summary: `${n.subnet} ${live?.ipCidrRange ?? n.range}`,
    };
  },

  teardown: {
    async read(ctx) {
      const recorded = lockRecord(ctx.lock, SUBNET_RECORD);
      const name = wanted(ctx)?.subnet ?? recorded?.name;
      if (!name) return undefined;
      const region = recorded?.region ?? ctx.config.region;
      const subnet = await existing(getSubnetwork(ctx.gcp, ctx.config.project, region, name));
      return subnet && ours(subnet, ctx.config.service) ? { name, region } : undefined;
    },
    plan: (ctx, found) => ({
      steps: found
        ? [
            {
              kind: 'VPC subnet',
              resource: `${found.name} (${found.region})`,
              run: async () =>
                void (await deleteSubnetwork(ctx.gcp, ctx.config.project, found.region, found.name, {
                  timeoutMs: ctx.waitTimeoutMs,
                  onProgress: progress(ctx.emit, 'destroy', 'deleting subnet', found.name),
                })),
            },
          ]
        : [],
    }),
  },
});
