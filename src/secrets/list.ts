// `secrets list`: every secret the configuration uses — Secret Manager id, the version the live
// service pins, the newest enabled version, whether one is staged, when it was created, and a short
// checksum. Never a value: a checksum is the lockfile's SHA-256 for that version, or the SHA-256 of
// the payload read here when the caller may read it (the payload itself goes no further).
import type { SecretName } from '../atlantis/catalog.js';
import type { DesiredSecret } from '../desired/index.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { getService } from '../gcp/apis/run.js';
import { accessVersion, getSecret, listVersions, type VersionInfo } from '../gcp/apis/secret-manager.js';
import { GcpError } from '../gcp/errors.js';
import { lockRecord } from '../state/lockfile.js';
import { pinnedVersions } from '../cloudrun/pins.js';
import { SECRETS_RECORD } from '../secret-values/record.js';
import { describeSource } from '../secret-values/source.js';
import { sha256, shortDigest } from '../secret-values/values.js';
import { managedSecrets } from './context.js';

export interface ListedVersion {
  version: string;
  state: string;
  createTime?: string;
  /** sha256:… (12 hex digits), when known. */
  checksum?: string;
}

export interface ListedSecret {
  name: SecretName;
  secretId: string;
  /** Where the value comes from: `$VAR`, `file PATH`, `generated`, `none`. */
  source: string;
  exists: boolean;
  /** The version the live service pins (undefined: not deployed, or the service does not use it). */
  inUse?: string;
  /** The newest ENABLED version. */
  newest?: string;
  /** A newer enabled version than the one in use exists (deploy or --rollout-only rolls it out). */
  staged: boolean;
  /** Creation time of the version in use (else of the newest). */
  created?: string;
  /** Checksum of the version in use (else of the newest). */
  checksum?: string;
  versions: ListedVersion[];
}

export interface ListResult {
  deployed: boolean;
  secrets: ListedSecret[];
}

export async function listSecrets(run: RunContext): Promise<ListResult> {
  const service = await absentIfDisabled(run, getService(run.gcp, run.config.names.serviceName), undefined);
  const pins = pinnedVersions(service);
  const secrets = await Promise.all(managedSecrets(run.config).map((d) => listOne(run, d, pins[d.secretId])));
  return { deployed: Boolean(service), secrets };
}

async function listOne(run: RunContext, d: DesiredSecret, inUse: string | undefined): Promise<ListedSecret> {
  const [secret, versions] = await Promise.all([
    absentIfDisabled(run, getSecret(run.gcp, d.resourceName), undefined),
    absentIfDisabled(run, listVersions(run.gcp, d.resourceName), [] as VersionInfo[]),
  ]);
  const newest = versions.find((v) => v.state === 'ENABLED');
  const record = lockRecord(run.lock, SECRETS_RECORD)?.[d.name];
  // Only the versions shown get a checksum: the one in use and the newest.
  const wanted = new Set([inUse, newest?.version].filter((v): v is string => v !== undefined));
  const checksums = new Map<string, string>();
  let mayAccess = true;
  for (const version of wanted) {
    if (record?.sha256 && (record.stagedVersion ?? record.version) === version) {
      checksums.set(version, shortDigest(record.sha256)!);
      continue;
    }
    const info = versions.find((v) => v.version === version);
    if (!mayAccess || info?.state !== 'ENABLED') continue;
    try {
      // accessVersion registers the payload for redaction before returning it.
      checksums.set(version, shortDigest(sha256(await accessVersion(run.gcp, info.name)))!);
    } catch (err) {
      if (!(
        err instanceof GcpError &&
        (err.code === 'PERMISSION_DENIED' || err.code === 'FAILED_PRECONDITION' || err.code === 'NOT_FOUND')
      ))
        throw err;
      // Without secretmanager.versions.access the list still works, without checksums.
      if (err.code === 'PERMISSION_DENIED') mayAccess = false;
    }
  }
  const shown = inUse ?? newest?.version;
  const shownInfo = versions.find((v) => v.version === shown);
  const source = describeSource(d.source);
  return {
    name: d.name,
    secretId: d.secretId,
    source,
    exists: Boolean(secret),
    ...(inUse ? { inUse } : {}),
    ...(newest ? { newest: newest.version } : {}),
    staged: Boolean(newest && inUse && Number(newest.version) > Number(inUse)),
    ...(shownInfo?.createTime ? { created: shownInfo.createTime } : {}),
    ...(shown && checksums.has(shown) ? { checksum: checksums.get(shown)! } : {}),
    versions: versions.map((v) => ({
      version: v.version,
      state: v.state,
      ...(v.createTime ? { createTime: v.createTime } : {}),
      ...(checksums.has(v.version) ? { checksum: checksums.get(v.version)! } : {}),
    })),
  };
}

/** A fixed-width table for the terminal. */
export function formatList(result: ListResult, service: string): string {
  const header = ['NAME', 'SECRET ID', 'IN USE', 'NEWEST', 'STAGED', 'CREATED', 'CHECKSUM'];
  const rows = result.secrets.map((s) => [
    s.name,
    s.secretId,
    s.inUse ?? '-',
    s.newest ?? (s.exists ? '(none enabled)' : '(no secret)'),
    s.staged ? 'yes' : '-',
    s.created ? s.created.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z') : '-',
    s.checksum ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const lines = [line(header), ...rows.map(line)];
  if (!result.deployed) lines.push(`(${service} is not deployed: no version is in use yet)`);
  if (result.secrets.some((s) => s.staged))
    lines.push('Staged versions are rolled out by `atlantis-run secrets push --rollout-only` or `atlantis-run deploy`.');
  return lines.join('\n');
}
