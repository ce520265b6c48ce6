// Redis: the Memorystore for Redis instance that holds Atlantis's locks (locks: redis without a
// host of its own): Basic 1 GiB by default, direct peering to the VPC, AUTH on, in-transit
// encryption as an option. It takes minutes to create: the phase waits with progress, and a run
// killed meanwhile finds it CREATING and waits again. Its AUTH string (and CA) are facts the
// secrets phase stores as the `redis-password` (and `redis-ca`) secrets — read here, never written
// anywhere else.
import type { SecretName } from '../atlantis/catalog.js';
import { OperationError } from '../errors.js';
import { absentIfDisabled, progress, type RunContext } from '../engine/context.js';
import { teardownOne, definePhase, type PhasePlan } from '../engine/phase.js';
import type { FieldChange } from '../engine/events.js';
import { desiredState, type DerivedValue, type Facts } from '../desired/index.js';
import type { DesiredRedis } from '../desired/persistence.js';
import { lastSegment } from '../gcp/apis/compute.js';
import {
  createRedisInstance,
  deleteRedisInstance,
  getRedisAuthString,
  getRedisInstance,
  updateRedisInstance,
  type RedisInstance,
} from '../gcp/apis/redis.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { resourceMonthly, usd } from '../cost/model.js';
import { sha256 } from '../secret-values/values.js';
import { lockRecord, recordKey } from '../state/lockfile.js';
import { waitUntilReady } from './wait-ready.js';
import { persistenceSettings } from '../config/persistence.js';

export const REDIS_RECORD = recordKey<{ name: string; host?: string; port?: number }>('redis');

interface Live {
  instance: RedisInstance | undefined;
  /** The AUTH string of a READY instance with AUTH on (registered for redaction). */
  auth: string | undefined;
}

type Decision =
  | { action: 'create' }
  /** Created or changed by an earlier run and not READY yet: wait for it. */
  | { action: 'wait' }
  | { action: 'update'; paths: string[]; fields: FieldChange[] }
  | { action: 'none' };

const wanted = (ctx: Pick<RunContext, 'config'>): DesiredRedis | undefined => desiredState(ctx.config).persistence.redis;

/** The facts a READY instance gives later phases: where it listens, and the values of its secrets. */
export function redisFacts(instance: RedisInstance, auth: string | undefined, transitEncryption: boolean): Facts {
  const derivedValues: Partial<Record<SecretName, DerivedValue>> = {};
  const origin = `Memorystore instance ${lastSegment(instance.name ?? '')}`;
  if (auth) {
    const data = Buffer.from(auth, 'utf8');
    derivedValues['redis-password'] = { data, sha256: sha256(data), origin };
  }
  // Every CA Memorystore lists (two during a rotation), so the client trusts either.
  const ca = (instance.serverCaCerts ?? [])
    .map((c) => c.cert?.trim())
    .filter(Boolean)
    .join('\n');
  if (transitEncryption && ca) {
    const data = Buffer.from(`${ca}\n`, 'utf8');
    derivedValues['redis-ca'] = { data, sha256: sha256(data), origin };
  }
  return {
    ...(instance.host ? { redisEndpoint: { host: instance.host, port: instance.port ?? 6379 } } : {}),
    derivedValues,
  };
}

/** What differs between the live instance and the desired one: blockers for what cannot change in place, update paths for the rest. */
function compare(d: DesiredRedis, live: RedisInstance): { blockers: Error[]; paths: string[]; fields: FieldChange[] } {
  const blockers: Error[] = [];
  const immutable: [string, unknown, unknown][] = [
    ['tier', live.tier, d.body.tier],
    ['authorizedNetwork', lastSegment(live.authorizedNetwork ?? ''), lastSegment(d.body.authorizedNetwork)],
    ['connectMode', live.connectMode ?? 'DIRECT_PEERING', d.body.connectMode],
    ['transitEncryptionMode', live.transitEncryptionMode ?? 'DISABLED', d.body.transitEncryptionMode],
  ];
  for (const [field, is, want] of immutable) {
    if (is !== want) {
      blockers.push(
        new OperationError(
          `Memorystore instance ${d.instanceId} has ${field} ${String(is)}, the configuration wants ${String(want)}: it cannot change in place`,
          {
            hint: `set persistence.redis.instance to a new id (the tool creates it; delete the old one with: gcloud redis instances delete ${d.instanceId} --region ${d.parent.split('/')[3]}), or change the configuration back`,
          },
        ),
      );
    }
  }
  const paths: string[] = [];
  const fields: FieldChange[] = [];
  const change = (path: string, field: string, from: unknown, to: unknown) => {
    paths.push(path);
    fields.push({ path: field, from, to });
  };
  if (Number(live.memorySizeGb) !== d.body.memorySizeGb) change('memory_size_gb', 'memorySizeGb', live.memorySizeGb, d.body.memorySizeGb);
  if (live.authEnabled !== true) change('auth_enabled', 'authEnabled', live.authEnabled ?? false, true);
  if (live.displayName !== d.body.displayName) change('display_name', 'displayName', live.displayName, d.body.displayName);
  const labelDrift = Object.entries(d.body.labels).filter(([k, v]) => live.labels?.[k] !== v);
  if (labelDrift.length > 0) change('labels', 'labels', live.labels ?? {}, { ...live.labels, ...d.body.labels });
  return { blockers, paths, fields };
}

export const redisPhase = definePhase({
  name: 'redis',
  title: 'Memorystore for Redis',
  needs: ['network'],
  enabled: (config) => persistenceSettings(config).locks.kind === 'memorystore',
  apis: () => ['redis.googleapis.com'],
  permissions: () => [
    'redis.instances.get',
    'redis.instances.create',
    'redis.instances.update',
    'redis.instances.getAuthString',
    'redis.operations.get',
  ],
  clients: ['redis'],
  record: REDIS_RECORD,

  async read(ctx): Promise<Live> {
    const d = wanted(ctx)!;
    const instance = await absentIfDisabled(ctx, getRedisInstance(ctx.gcp, d.name), undefined);
    const auth = instance?.state === 'READY' && instance.authEnabled ? await getRedisAuthString(ctx.gcp, d.name) : undefined;
    return { instance, auth };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const d = wanted(ctx)!;
    const transit = d.body.transitEncryptionMode === 'SERVER_AUTHENTICATION';
    if (!live.instance) {
      const price = resourceMonthly('memorystore', {
        region: ctx.config.region,
        redis: { kind: 'memorystore', tier: d.body.tier, sizeGb: d.body.memorySizeGb },
      });
      return {
        changes: [
          {
            kind: 'Memorystore for Redis instance',
            resource: `${d.instanceId} (${ctx.config.region})`,
            action: 'create',
            fields: [
              { path: 'tier', to: d.body.tier },
              { path: 'memorySizeGb', to: d.body.memorySizeGb },
              { path: 'authorizedNetwork', to: lastSegment(d.body.authorizedNetwork) },
              { path: 'authEnabled', to: true },
              { path: 'transitEncryptionMode', to: d.body.transitEncryptionMode },
            ],
            reason: `${usd(price)} a month at list price; takes several minutes`,
          },
        ],
        decision: { action: 'create' },
      };
    }
    const { blockers, paths, fields } = compare(d, live.instance);
    if (blockers.length > 0) return { changes: [], blockers, decision: { action: 'none' } };
    if (live.instance.state !== 'READY') {
      // An earlier run's operation is still going (or Google is repairing it): wait for READY.
      return { changes: [], decision: { action: 'wait' } };
    }
    const facts = redisFacts(live.instance, live.auth, transit);
    if (paths.length === 0) return { changes: [], decision: { action: 'none' }, facts };
    return {
      changes: [{ kind: 'Memorystore for Redis instance', resource: d.instanceId, action: 'update', fields }],
      decision: { action: 'update', paths, fields },
      facts,
    };
  },

  async apply(ctx, decision) {
    const d = wanted(ctx)!;
    const onProgress = progress(
      ctx.emit,
      'redis',
      decision.action === 'create' ? 'creating' : 'waiting for',
      `Memorystore instance ${d.instanceId}`,
    );
    const wait = { timeoutMs: ctx.waitTimeoutMs, onProgress };
    if (decision.action === 'create') {
      try {
        await createRedisInstance(ctx.gcp, d.parent, d.instanceId, d.body, wait);
      } catch (err) {
        // A run killed after the create: the instance exists, perhaps still CREATING.
        if (!isAlreadyExists(err)) throw err;
      }
      ctx.emit({
        type: 'resource-changed',
        phase: 'redis',
        kind: 'Memorystore for Redis instance',
        resource: d.instanceId,
        action: 'create',
      });
    } else if (decision.action === 'update') {
      const live = await getRedisInstance(ctx.gcp, d.name);
      await updateRedisInstance(
        ctx.gcp,
        { ...live, ...d.body, name: d.name, labels: { ...live?.labels, ...d.body.labels } },
        decision.paths,
        wait,
      );
      ctx.emit({
        type: 'resource-changed',
        phase: 'redis',
        kind: 'Memorystore for Redis instance',
        resource: d.instanceId,
        action: 'update',
        fields: decision.fields,
      });
    }
    const instance = await waitUntilReady(ctx, {
      product: 'Memorystore',
      id: d.instanceId,
      read: () => getRedisInstance(ctx.gcp, d.name),
      onProgress,
    });
    const auth = instance.authEnabled ? await getRedisAuthString(ctx.gcp, d.name) : undefined;
    const facts = redisFacts(instance, auth, d.body.transitEncryptionMode === 'SERVER_AUTHENTICATION');
    return {
      record: { name: d.name, ...(instance.host ? { host: instance.host } : {}), ...(instance.port ? { port: instance.port } : {}) },
      facts,
      summary: `${d.instanceId} ready at ${instance.host ?? '?'}:${instance.port ?? '?'}`,
    };
  },

  teardown: teardownOne({
    name: (ctx) => wanted(ctx)?.name ?? lockRecord(ctx.lock, REDIS_RECORD)?.name,
    exists: (ctx, name) => getRedisInstance(ctx.gcp, name),
    kind: 'Memorystore for Redis instance',
    label: lastSegment,
    remove: (ctx, name) =>
      deleteRedisInstance(ctx.gcp, name, {
        timeoutMs: ctx.waitTimeoutMs,
        onProgress: progress(ctx.emit, 'destroy', 'deleting', `Memorystore instance ${lastSegment(name)}`),
      }),
  }),
});
