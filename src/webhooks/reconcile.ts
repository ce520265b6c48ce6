// Converging one target's Atlantis webhook: list the hooks, find the one that sends to the Atlantis
// URL, create it when absent, update it when what can be read back differs, never add a second one.
//
// A secret cannot be read back (GitHub masks it, GitLab and Gitea omit it), so whether it "differs"
// is unknowable. The rule: with `secret: 'resend'` (the default of `webhook add`, and what rotation
// uses) an existing hook always gets the secret again and is reported `updated` with the change
// "secret re-sent"; with `secret: 'if-changed'` the secret travels only with an update that something
// else forced, and a hook whose readable settings match is `unchanged`.
import { giteaEventsMatch } from './gitea.js';
import type { DesiredHook, HookTarget, HooksApi, LiveHook } from './types.js';

export type SecretPolicy = 'resend' | 'if-changed';

export interface ReconcileResult {
  action: 'created' | 'updated' | 'unchanged';
  hook: LiveHook;
  /** What differed (and so was changed), in words: "events", "inactive", "secret re-sent"… */
  changes: string[];
  /** Other hooks that also send to the Atlantis URL (left alone: Atlantis receives each event once per hook). */
  duplicates: number[];
}

/** Two webhook URLs are the same when scheme, host, path and query match (host case and a trailing slash do not count). */
export function sameUrl(a: string, b: string): boolean {
  return normaliseUrl(a) === normaliseUrl(b);
}

function normaliseUrl(u: string): string {
  try {
    const url = new URL(u.trim());
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return u.trim().replace(/\/+$/, '');
  }
}

/** The hooks of the target that send to `url`, oldest (lowest id) first. */
export async function findHooks(api: HooksApi, target: HookTarget, url: string): Promise<LiveHook[]> {
  const hooks = await api.list(target);
  return hooks.filter((h) => sameUrl(h.url, url)).sort((a, b) => a.id - b.id);
}

/** What differs between a live hook and the desired one, as far as the provider lets us read. */
export function hookDifferences(api: Pick<HooksApi, 'provider'>, live: LiveHook, desired: DesiredHook): string[] {
  const changes: string[] = [];
  const eventsOk = api.provider === 'gitea' ? giteaEventsMatch(desired.events, live.events) : sameSet(live.events, desired.events);
  if (!eventsOk) changes.push('events');
  // GitLab has no active switch (a failing hook is disabled by GitLab for a while); the others do.
  if (api.provider !== 'gitlab' && !live.active) changes.push('inactive');
  if (api.provider !== 'gitlab' && live.contentType !== undefined && live.contentType !== 'json') changes.push('content type');
  if (live.tlsVerification === false) changes.push('TLS verification off');
  if (desired.secret !== undefined && live.secretSet === false) changes.push('no secret set');
  return changes;
}

export async function reconcileHook(
  api: HooksApi,
  target: HookTarget,
  desired: DesiredHook,
  options: { secret: SecretPolicy } = { secret: 'resend' },
): Promise<ReconcileResult> {
  const [existing, ...duplicates] = await findHooks(api, target, desired.url);
  const others = duplicates.map((h) => h.id);
  if (!existing) {
    const hook = await api.create(target, desired);
    return { action: 'created', hook, changes: [], duplicates: others };
  }
  const changes = hookDifferences(api, existing, desired);
  if (changes.length === 0 && (desired.secret === undefined || options.secret === 'if-changed')) {
    return { action: 'unchanged', hook: existing, changes: [], duplicates: others };
  }
  if (desired.secret !== undefined && !changes.includes('no secret set')) changes.push('secret re-sent');
  const hook = await api.update(target, existing.id, desired);
  return { action: 'updated', hook, changes, duplicates: others };
}

/** Deletes every hook of the target that sends to `url` (normally one); returns their ids. */
export async function removeHooks(api: HooksApi, target: HookTarget, url: string): Promise<number[]> {
  const matching = await findHooks(api, target, url);
  for (const hook of matching) await api.delete(target, hook.id);
  return matching.map((h) => h.id);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}
