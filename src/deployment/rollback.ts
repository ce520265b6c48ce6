// `rollback` as a use case: all traffic back to the previous ready revision (or a named one), the
// secret versions that revision pins kept enabled (a disabled one is enabled again: the revision's
// new instance reads them when it starts), and only the service's `traffic` changed — no new
// revision. The pin shows in `status`; the next `deploy` sends traffic back to the latest revision.
import { UsageError, OperationError } from '../errors.js';
import { absentIfDisabled, progress, type RunContext } from '../engine/context.js';
import { withSpan } from '../engine/events.js';
import { GcpError } from '../gcp/errors.js';
import { getService, listRevisions, shortName, updateServiceTraffic, type RunRevision, type RunService } from '../gcp/apis/run.js';
import { enableVersion, listVersions } from '../gcp/apis/secret-manager.js';
import { specPins } from '../cloudrun/pins.js';
import { waitUntilSettled } from '../cloudrun/rollout.js';
import { SERVICE_RECORD, serviceRecord, serviceUrl } from '../cloudrun/service.js';
import { newestFirst, pinTraffic, previousReady, readiness, trafficOf } from '../cloudrun/traffic.js';
import { versionOf, type KnownImage } from '../cloudrun/version.js';
import { knownImages } from '../phases/image.js';
import { closest } from '../util/suggest.js';
import { compareLikeLocale } from '../util/collate.js';

export interface RevisionInfo {
  name: string;
  ready: boolean;
  /** Cloud Run's message for a revision that did not become ready. */
  message?: string;
  createTime?: string;
  /** The Atlantis version it runs, when something vouches for its image. */
  version?: string;
  /** Its share of traffic now. */
  percent: number;
  /** Whether it is the service's latest ready revision (where a deploy sends traffic). */
  latest: boolean;
}

export interface PinnedSecret {
  secretId: string;
  version: string;
  /** `kept`: enabled already; `enabled`: was disabled, enabled again for the rollback. */
  action: 'kept' | 'enabled';
}

export interface Revisions {
  service: RunService;
  revisions: RevisionInfo[];
  /** The revision serving (most of) the traffic now. */
  serving: string | undefined;
  /** The revisions themselves, for their secret pins. */
  raw: RunRevision[];
}

/** The service's revisions, newest first, with their state, version and traffic. Exit 2 when nothing is deployed. */
export async function readRevisions(run: RunContext): Promise<Revisions> {
  const name = run.config.names.serviceName;
  const service = await absentIfDisabled(run, getService(run.gcp, name), undefined);
  if (!service) {
    throw new UsageError(
      `${run.config.service} is not deployed in ${run.config.project}/${run.config.region}: there is nothing to roll back`,
      {
        hint: 'run `atlantis-run deploy` first',
      },
    );
  }
  const raw = newestFirst(await listRevisions(run.gcp, name));
  const traffic = trafficOf(service);
  const known: KnownImage[] = knownImages(run.lock);
  const latest = shortName(service.latestReadyRevision);
  const revisions = raw.map((revision) => {
    const short = shortName(revision.name ?? '');
    const state = readiness(revision);
    const version = versionOf(revision, known);
    const percent = traffic.serving.filter((t) => t.revision === short).reduce((sum, t) => sum + t.percent, 0);
    return {
      name: short,
      ready: state.ready,
      ...(state.message ? { message: state.message } : {}),
      ...(revision.createTime ? { createTime: revision.createTime } : {}),
      ...(version ? { version } : {}),
      percent,
      latest: short === latest,
    };
  });
  return { service, revisions, serving: traffic.servingRevision, raw };
}

/** The revision to send traffic to: `to`, or the newest ready one older than the one serving. Exit 2 when there is none. */
export function chooseTarget(state: Revisions, to: string | undefined): RevisionInfo {
  const ready = state.revisions.filter((r) => r.ready).map((r) => r.name);
  const list = '`atlantis-run rollback --list` shows every revision';
  if (to !== undefined) {
    const wanted = to.trim().split('/').pop()!;
    const found = state.revisions.find((r) => r.name === wanted);
    if (!found) {
      const near = closest(
        wanted,
        state.revisions.map((r) => r.name),
      );
      throw new UsageError(`--to: service ${state.service.name ? shortName(state.service.name) : ''} has no revision ${wanted}`, {
        hint: `${near ? `did you mean ${near}? ` : ''}${list}`,
      });
    }
    if (!found.ready) {
      throw new UsageError(`--to: revision ${wanted} never became ready${found.message ? ` (${found.message})` : ''}, so it cannot serve`, {
        hint: `choose a ready revision${ready.length ? ` (${ready.slice(0, 3).join(', ')}${ready.length > 3 ? ', …' : ''})` : ''}; ${list}`,
      });
    }
    return found;
  }
  const previous = previousReady(state.raw, state.serving);
  const found = previous && state.revisions.find((r) => r.name === shortName(previous.name ?? ''));
  if (!found) {
    throw new UsageError(`there is no ready revision older than ${state.serving ?? 'the one serving'} to roll back to`, {
      hint: `name one with --to REVISION; ${list}`,
    });
  }
  return found;
}

/** The secret versions `revision` pins, checked: a destroyed or missing one means it cannot start again (exit 2). */
export async function pinnedSecrets(
  run: RunContext,
  revision: RunRevision,
): Promise<{ secretId: string; version: string; state: string }[]> {
  const pins: { secretId: string; version: string; state: string }[] = [];
  for (const [secretId, versions] of specPins(revision)) {
    const live = await listVersions(run.gcp, `projects/${run.config.project}/secrets/${secretId}`);
    for (const version of versions) {
      const state = live.find((v) => v.version === version)?.state ?? 'MISSING';
      if (state !== 'ENABLED' && state !== 'DISABLED') {
        throw new UsageError(
          `revision ${shortName(revision.name ?? '')} reads ${secretId} version ${version}, which is ${state === 'MISSING' ? 'gone' : state.toLowerCase()}: it cannot start again`,
          { hint: 'roll back to another revision (--to; `atlantis-run rollback --list`), or deploy again' },
        );
      }
      pins.push({ secretId, version, state });
    }
  }
  return pins.sort((a, b) => compareLikeLocale(a.secretId, b.secretId) || Number(a.version) - Number(b.version));
}

export interface RollbackResult {
  from: string | undefined;
  to: string;
  version: string | undefined;
  secrets: PinnedSecret[];
  url: string | undefined;
  notes: string[];
}

/** Enables what the revision needs, sends all traffic to it, waits until it serves, records the pin. */
export async function rollBack(run: RunContext, state: Revisions, target: RevisionInfo): Promise<RollbackResult> {
  const raw = state.raw.find((r) => shortName(r.name ?? '') === target.name)!;
  const pins = await pinnedSecrets(run, raw);
  const secrets: PinnedSecret[] = [];
  for (const pin of pins) {
    if (pin.state === 'DISABLED') {
      await enableVersion(run.gcp, `projects/${run.config.project}/secrets/${pin.secretId}/versions/${pin.version}`);
      run.emit({
        type: 'resource-changed',
        phase: 'rollback',
        kind: 'secret version',
        resource: `${pin.secretId}/versions/${pin.version}`,
        action: 'update',
        fields: [{ path: 'state', from: 'DISABLED', to: 'ENABLED' }],
      });
    }
    secrets.push({ secretId: pin.secretId, version: pin.version, action: pin.state === 'DISABLED' ? 'enabled' : 'kept' });
  }

  const name = run.config.names.serviceName;
  const notes: string[] = [];
  const onProgress = progress(run.emit, 'rollback', 'waiting for traffic to move on', run.config.service);
  const current = await withSpan(
    run.emit,
    { phase: 'rollback', title: `Sending all traffic of ${run.config.service} to ${target.name}` },
    async () => {
      const body = pinTraffic(state.service, target.name);
      try {
        await updateServiceTraffic(run.gcp, name, body.traffic, state.service.etag, { timeoutMs: run.waitTimeoutMs, onProgress });
      } catch (err) {
        // With a failed newest revision the service stays failed, and the operation says so, though
        // the route moved (Cloud Run reconciles routes apart from configurations): judge by the route.
        if (!(err instanceof GcpError) || err.method === 'UpdateService') throw err;
        notes.push(`the newest revision ${shortName(state.service.latestCreatedRevision)} is still failed; deploy tries it again`);
      }
      const settled = await waitUntilSettled(run, onProgress);
      const serving = trafficOf(settled).serving.find((t) => t.revision === target.name && t.percent === 100);
      if (!settled || !serving) {
        throw new OperationError(`traffic of ${run.config.service} did not move to ${target.name}`, {
          hint: `${settled?.terminalCondition?.message ?? 'Cloud Run gave no reason'}; \`atlantis-run status\` shows where traffic goes`,
        });
      }
      emitTrafficChange(run, state.serving, target.name);
      return settled;
    },
    () => ({ changed: 1, summary: `${target.name} serves 100%` }),
  );
  await run.record({ [SERVICE_RECORD.key]: serviceRecord(current, name) });
  return { from: state.serving, to: target.name, version: target.version, secrets, url: serviceUrl(current), notes };
}

function emitTrafficChange(run: RunContext, from: string | undefined, to: string): void {
  run.emit({
    type: 'resource-changed',
    phase: 'rollback',
    kind: 'Cloud Run service',
    resource: run.config.service,
    action: 'update',
    fields: [{ path: 'traffic', from: from ? `100% ${from}` : undefined, to: `100% ${to} (pinned)` }],
  });
}
