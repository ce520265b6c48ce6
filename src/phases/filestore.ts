// Filestore: the Basic HDD instance that holds the whole Atlantis data dir (dataDir: filestore),
// mounted by the service as an `nfs` volume over Direct VPC egress. 1 TiB is Basic HDD's minimum:
// the plan says what that costs before anything is created. It takes minutes to create; a run
// killed meanwhile finds it CREATING and waits. Its IP address is the fact the service mounts.
import { OperationError } from '../errors.js';
import { absentIfDisabled, progress, type RunContext } from '../engine/context.js';
import { teardownOne, definePhase, type PhasePlan } from '../engine/phase.js';
import { desiredState } from '../desired/index.js';
import type { DesiredFilestore } from '../desired/persistence.js';
import { lastSegment } from '../gcp/apis/compute.js';
import { createFilestoreInstance, deleteFilestoreInstance, getFilestoreInstance, type FilestoreInstance } from '../gcp/apis/filestore.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { resourceMonthly, usd } from '../cost/model.js';
import { lockRecord, recordKey } from '../state/lockfile.js';
import { waitUntilReady } from './wait-ready.js';

export const FILESTORE_RECORD = recordKey<{ name: string; ip?: string }>('filestore');

interface Live {
  instance: FilestoreInstance | undefined;
}

type Decision = { action: 'create' | 'wait' | 'none' };

const wanted = (ctx: Pick<RunContext, 'config'>): DesiredFilestore | undefined => desiredState(ctx.config).persistence.filestore;

/** The address clients mount the share at. */
export const filestoreIp = (instance: FilestoreInstance | undefined): string | undefined => instance?.networks?.[0]?.ipAddresses?.[0];

export const filestorePhase = definePhase({
  name: 'filestore',
  title: 'Filestore',
  needs: ['network'],
  enabled: (config) => config.persistence.dataDir === 'filestore',
  apis: () => ['file.googleapis.com'],
  permissions: () => ['file.instances.get', 'file.instances.create', 'file.operations.get'],
  clients: ['filestore'],
  record: FILESTORE_RECORD,

  async read(ctx): Promise<Live> {
    return { instance: await absentIfDisabled(ctx, getFilestoreInstance(ctx.gcp, wanted(ctx)!.name), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const d = wanted(ctx)!;
    const share = d.body.fileShares[0];
    if (!live.instance) {
      const price = resourceMonthly('filestore', { region: ctx.config.region, filestore: { capacityGb: share.capacityGb } });
      return {
        changes: [
          {
            kind: 'Filestore instance',
            resource: `${d.instanceId} (${d.zone})`,
            action: 'create',
            fields: [
              { path: 'tier', to: d.body.tier },
              { path: `fileShares[${share.name}].capacityGb`, to: share.capacityGb },
              { path: 'networks[0].network', to: d.body.networks[0].network },
            ],
            reason: `${usd(price)} a month at list price: Basic HDD bills at least 1 TiB; takes several minutes`,
          },
        ],
        warnings: [
          {
            message: `Filestore Basic HDD costs ${usd(price)} a month for ${share.capacityGb} GiB (its minimum is 1 TiB), whether Atlantis uses it or not`,
            hint: 'plans on Cloud Storage with Redis locks keep plans and locks across restarts for a fraction of that (atlantis-run cost --compare)',
          },
        ],
        decision: { action: 'create' },
      };
    }
    const blockers: Error[] = [];
    const liveShare = live.instance.fileShares?.[0];
    const network = lastSegment(live.instance.networks?.[0]?.network ?? '');
    if (live.instance.tier !== d.body.tier || liveShare?.name !== share.name || network !== d.body.networks[0].network) {
      blockers.push(
        new OperationError(
          `Filestore instance ${d.instanceId} is ${live.instance.tier} with share ${liveShare?.name ?? '?'} on network ${network || '?'}; the configuration wants ${d.body.tier}, share ${share.name}, network ${d.body.networks[0].network}`,
          { hint: 'these cannot change in place: set persistence.filestore.instance to a new id, or change the configuration back' },
        ),
      );
    } else if (Number(liveShare.capacityGb) !== share.capacityGb) {
      blockers.push(
        new OperationError(
          `Filestore instance ${d.instanceId} has ${String(liveShare.capacityGb)} GiB, the configuration says ${share.capacityGb}`,
          {
            hint: `resize it yourself (gcloud filestore instances update ${d.instanceId} --zone ${d.zone} --file-share=name=${share.name},capacity=${share.capacityGb}GB), or set persistence.filestore.capacityGb to ${String(liveShare.capacityGb)}`,
          },
        ),
      );
    }
    if (blockers.length > 0) return { changes: [], blockers, decision: { action: 'none' } };
    if (live.instance.state !== 'READY') return { changes: [], decision: { action: 'wait' } };
    const ip = filestoreIp(live.instance);
    return { changes: [], decision: { action: 'none' }, ...(ip ? { facts: { filestoreIp: ip } } : {}) };
  },

  async apply(ctx, decision) {
    const d = wanted(ctx)!;
    const onProgress = progress(
      ctx.emit,
      'filestore',
      decision.action === 'create' ? 'creating' : 'waiting for',
      `Filestore instance ${d.instanceId}`,
    );
    if (decision.action === 'create') {
      try {
        await createFilestoreInstance(ctx.gcp, d.parent, d.instanceId, d.body, { timeoutMs: ctx.waitTimeoutMs, onProgress });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      ctx.emit({ type: 'resource-changed', phase: 'filestore', kind: 'Filestore instance', resource: d.instanceId, action: 'create' });
    }
    const instance = await waitUntilReady(ctx, {
      product: 'Filestore',
      id: d.instanceId,
      read: () => getFilestoreInstance(ctx.gcp, d.name),
      onProgress,
    });
    const ip = filestoreIp(instance);
    return {
      record: { name: d.name, ...(ip ? { ip } : {}) },
      ...(ip ? { facts: { filestoreIp: ip } } : {}),
      summary: `${d.instanceId} ready at ${ip ?? '?'}:/${d.body.fileShares[0].name}`,
    };
  },

  teardown: teardownOne({
    name: (ctx) => wanted(ctx)?.name ?? lockRecord(ctx.lock, FILESTORE_RECORD)?.name,
    exists: (ctx, name) => getFilestoreInstance(ctx.gcp, name),
    kind: 'Filestore instance (and the data dir on it)',
    label: lastSegment,
    remove: (ctx, name) =>
      deleteFilestoreInstance(ctx.gcp, name, {
        timeoutMs: ctx.waitTimeoutMs,
        onProgress: progress(ctx.emit, 'destroy', 'deleting', `Filestore instance ${lastSegment(name)}`),
      }),
  }),
});
