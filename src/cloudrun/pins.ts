// Which secret versions a Cloud Run spec pins, and the same spec with other versions pinned. A spec
// is a service's `template` or a revision (both carry `containers` and `volumes`). Secrets reach
// Atlantis as env vars (`valueSource.secretKeyRef`) or as files in secret volumes (`items[].version`).
import { shortName, type RunRevision, type RunService } from '../gcp/apis/run.js';
import type { RunRevisionTemplate } from '../gcp/apis/run-types.js';

/** A service's template or a revision: both carry `containers` and `volumes`. */
type Spec = Pick<RunRevisionTemplate, 'containers' | 'volumes'>;

/** `projects/P/secrets/ID` or `ID` → `ID`. */
const idOf = (secret: string) => shortName(secret);

/** Every (secret id, version) a spec pins, as a map of id → versions. */
export function specPins(spec: Spec | undefined): Map<string, Set<string>> {
  const pins = new Map<string, Set<string>>();
  const add = (secret: string | undefined, version: string | undefined) => {
    if (!secret || !version) return;
    const id = idOf(secret);
    (pins.get(id) ?? pins.set(id, new Set()).get(id)!).add(version);
  };
  for (const container of spec?.containers ?? [])
    for (const env of container.env ?? []) add(env.valueSource?.secretKeyRef?.secret, env.valueSource?.secretKeyRef?.version);
  for (const volume of spec?.volumes ?? []) for (const item of volume.secret?.items ?? []) add(volume.secret?.secret, item.version);
  return pins;
}

/** Version numbers the service's template pins, by secret id (one per secret: the tool pins each once). */
export function pinnedVersions(service: RunService | undefined): Record<string, string> {
  const pinned: Record<string, string> = {};
  for (const [id, versions] of specPins(service?.template)) {
    // Two different pins of one secret only happen when edited by hand; report the newest.
    pinned[id] = [...versions].sort((a, b) => Number(b) - Number(a))[0]!;
  }
  return pinned;
}

/** Versions used by any of these revisions, by secret id. */
export function revisionPins(revisions: RunRevision[]): Map<string, Set<string>> {
  const all = new Map<string, Set<string>>();
  for (const revision of revisions) {
    for (const [id, versions] of specPins(revision)) {
      const set = all.get(id) ?? all.set(id, new Set()).get(id)!;
      for (const v of versions) set.add(v);
    }
  }
  return all;
}

export interface PinChange {
  secretId: string;
  from: string | undefined;
  to: string;
}

/**
 * A copy of the live service whose template pins `pins` (secret id → version) and is otherwise
 * unchanged — only the version fields move. `unreferenced`: ids the template does not use at all
 * (adding a secret to the service is deploy's work, not a pin change).
 */
export function withPinnedVersions(
  service: RunService,
  pins: Map<string, string>,
): { service: RunService; changes: PinChange[]; unreferenced: string[] } {
  const copy = structuredClone(service);
  const template: Spec = copy.template ?? {};
  const seen = new Set<string>();
  const changes = new Map<string, PinChange>();
  const pin = (secret: string | undefined, current: string | undefined, set: (v: string) => void) => {
    if (!secret) return;
    const id = idOf(secret);
    const to = pins.get(id);
    if (to === undefined) return;
    seen.add(id);
    if (current === to) return;
    set(to);
    if (!changes.has(id)) changes.set(id, { secretId: id, from: current, to });
  };
  for (const container of template.containers ?? []) {
    for (const env of container.env ?? []) {
      const ref = env.valueSource?.secretKeyRef;
      if (ref) pin(ref.secret, ref.version, (v) => (ref.version = v));
    }
  }
  for (const volume of template.volumes ?? []) {
    for (const item of volume.secret?.items ?? []) pin(volume.secret?.secret, item.version, (v) => (item.version = v));
  }
  return { service: copy, changes: [...changes.values()], unreferenced: [...pins.keys()].filter((id) => !seen.has(id)) };
}

// Fields Cloud Run fills in and owns. The live service is sent back as the full new spec (an update
// replaces the service), so these are dropped; `etag` stays, making the update conditional on
// nobody having changed the service since it was read.
const OUTPUT_ONLY = [
  'uid',
  'generation',
  'createTime',
  'updateTime',
  'deleteTime',
  'expireTime',
  'creator',
  'lastModifier',
  'observedGeneration',
  'terminalCondition',
  'conditions',
  'latestReadyRevision',
  'latestCreatedRevision',
  'trafficStatuses',
  'uri',
  'urls',
  'satisfiesPzs',
  'reconciling',
] as const;

/** The live service as an update body: output-only fields and a fixed revision name removed. */
export function writableService(service: RunService): RunService {
  const body: RunService = { ...service };
  for (const key of OUTPUT_ONLY) delete body[key];
  if (body.template) {
    // A revision name given in the template would collide with the existing revision of that name.
    const { revision: _revision, ...template } = body.template;
    body.template = template;
  }
  return body;
}
