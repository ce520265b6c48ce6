// The run lock that lives in the project, so that two machines (two CI jobs, a laptop and a
// pipeline) with different lockfiles cannot change one deployment at once — as Terraform's GCS
// backend does: one small object, written with the precondition "does not exist yet"
// (ifGenerationMatch=0) in a bucket the tool owns, naming the holder, host, command, start and
// expiry. Taken before the first change (not for a run that changes nothing), renewed while the
// run lasts, deleted at its end; an expired lock, or one named by --force-unlock ID, is taken
// over atomically (ifGenerationMatch of the generation read). Otherwise: exit 3 naming the holder.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { LockHeldError, OperationError } from '../errors.js';
import type { Gcp } from '../gcp/call.js';
import { GcpError } from '../gcp/errors.js';
import { deleteBucket, deleteObjectIf, insertBucket, readObject, writeObjectIf } from '../gcp/apis/storage.js';

/** The lock's own calls do not wait for the lock (ApiCaller.beforeMutation). */
const OWN = { runLock: true };

/** What the lock object says. */
export interface LockHolder {
  id: string;
  /** Who: the local user name (and CI job, when there is one). */
  holder: string;
  host: string;
  pid: number;
  command: string;
  startedAt: string;
  expiresAt: string;
  tool: string;
}

export interface RemoteLockOptions {
  gcp: Gcp;
  project: string;
  region: string;
  service: string;
  command: string;
  tool: string;
  /** How long the lock lives without renewal; renewed every third of it while the run lasts. */
  ttlMs: number;
  /** --force-unlock: the id of a lock to take over although it has not expired. */
  forceUnlock?: string | undefined;
  /** The bucket (default PROJECT-atlantis-run). */
  bucket?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Told when the lock was taken over from someone (expired, or forced), and when it was lost. */
  notify?: (message: string) => void;
}

export const DEFAULT_LOCK_TTL_MS = 5 * 60_000;

/** The bucket the tool keeps its run locks in. Project ids are globally unique, so is this name. */
export const lockBucketName = (project: string) => `${project}-atlantis-run`;

export class RemoteLock {
  readonly id = randomBytes(6).toString('hex');
  readonly bucket: string;
  readonly object: string;
  private acquiring: Promise<void> | undefined;
  private generation: string | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private startedAt = new Date();

  constructor(private readonly o: RemoteLockOptions) {
    this.bucket = o.bucket ?? lockBucketName(o.project);
    this.object = `locks/${o.region}/${o.service}.json`;
  }

  get held(): boolean {
    return this.generation !== undefined;
  }

  /** Where the lock lives, for messages. */
  get location(): string {
    return `gs://${this.bucket}/${this.object}`;
  }

  /** Takes the lock (once per run; later calls wait for the same). Throws LockHeldError (exit 3) when another run holds it. */
  acquire(): Promise<void> {
    this.acquiring ??= this.take().catch((err: unknown) => {
      this.acquiring = undefined;
      throw err;
    });
    return this.acquiring;
  }

  /** Releases the lock if this run holds it; `removeBucket`: also the bucket, when no other lock is in it. */
  async release(options: { removeBucket?: boolean } = {}): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
    const generation = this.generation;
    this.generation = undefined;
    if (!generation) return;
    await deleteObjectIf(this.o.gcp, this.bucket, this.object, generation, OWN).catch(() => false);
    // Refused (409) while another deployment's lock is in it: then it stays.
    if (options.removeBucket) await deleteBucket(this.o.gcp, this.bucket, OWN).catch(() => false);
  }

  private holderInfo(): LockHolder {
    const now = Date.now();
    const user = safeUser();
    const job = this.o.env.GITHUB_ACTIONS
      ? ` (GitHub Actions run ${this.o.env.GITHUB_RUN_ID ?? '?'})`
      : this.o.env.GITLAB_CI
        ? ` (GitLab job ${this.o.env.CI_JOB_ID ?? '?'})`
        : '';
    return {
      id: this.id,
      holder: `${user}${job}`,
      host: os.hostname(),
      pid: process.pid,
      command: this.o.command,
      startedAt: this.startedAt.toISOString(),
      expiresAt: new Date(now + this.o.ttlMs).toISOString(),
      tool: this.o.tool,
    };
  }

  private async take(): Promise<void> {
    this.startedAt = new Date();
    let expected = '0';
    for (let attempt = 1; attempt <= 6; attempt++) {
      try {
        this.generation = await writeObjectIf(this.o.gcp, this.bucket, this.object, JSON.stringify(this.holderInfo()), expected, OWN);
        this.renewEvery(Math.max(1_000, Math.floor(this.o.ttlMs / 3)));
        return;
      } catch (err) {
        if (!(err instanceof GcpError)) throw err;
        if (err.code === 'NOT_FOUND') {
          await this.createBucket();
          continue;
        }
        if (err.httpStatus !== 412) throw this.cannot(err);
      }
      // Someone's lock is there (or was: released meanwhile).
      const current = await readObject(this.o.gcp, this.bucket, this.object, OWN).catch((err: unknown) => {
        throw err instanceof GcpError ? this.cannot(err) : err;
      });
      if (!current) {
        expected = '0';
        continue;
      }
      const holder = parseHolder(current.text);
      if (holder?.id === this.id) {
        // Our own write, whose reply was lost and which was sent again.
        this.generation = current.generation;
        this.renewEvery(Math.max(1_000, Math.floor(this.o.ttlMs / 3)));
        return;
      }
      const id = holder?.id ?? `generation-${current.generation}`;
      const expired = holder !== undefined && Date.parse(holder.expiresAt) < Date.now();
      // A run killed on this machine (SIGKILL, a crash) must not block the next one until expiry.
      const dead = holder !== undefined && holder.host === os.hostname() && !processAlive(holder.pid);
      if (!expired && !dead && this.o.forceUnlock !== id) throw this.heldError(holder, id);
      const how = dead
        ? 'took over the run lock of a process that is gone:'
        : expired
          ? 'took over the expired run lock'
          : 'forced open the run lock';
      this.o.notify?.(`${how} ${id}${holder ? ` of ${describe(holder)}` : ''} (${this.location})`);
      expected = current.generation;
    }
    throw new LockHeldError(`could not take the run lock ${this.location}: other runs keep taking it`, {
      hint: 'another run is starting at the same moment; run the command again in a minute',
    });
  }

  private renewEvery(ms: number): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = setInterval(() => void this.renew(), ms);
    this.renewal.unref();
  }

  private async renew(): Promise<void> {
    const generation = this.generation;
    if (!generation) return;
    try {
      this.generation = await writeObjectIf(this.o.gcp, this.bucket, this.object, JSON.stringify(this.holderInfo()), generation, OWN);
    } catch (err) {
      if (err instanceof GcpError && (err.httpStatus === 412 || err.code === 'NOT_FOUND')) {
        // Someone took it over (--force-unlock, or it expired while this run could not renew it).
        if (this.renewal) clearInterval(this.renewal);
        this.renewal = undefined;
        this.generation = undefined;
        this.o.notify?.(`lost the run lock ${this.location}: another run took it over; this run goes on, but no longer alone`);
      }
      // Anything else: the next renewal tries again, well before the lock expires.
    }
  }

  private async createBucket(): Promise<void> {
    const create = (location: string) =>
      insertBucket(
        this.o.gcp,
        this.o.project,
        {
          name: this.bucket,
          location,
          labels: { 'managed-by': 'atlantis-run' },
          // Nobody but the project reads it; a deleted lock is not worth keeping.
          iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
          softDeletePolicy: { retentionDurationSeconds: 0 },
        },
        OWN,
      );
    try {
      // Beside the deployment; a region Cloud Storage does not offer falls back to the US multi-region.
      await create(this.o.region).catch((err: unknown) => {
        if (err instanceof GcpError && err.httpStatus === 400 && /location/i.test(err.message)) return create('US');
        throw err;
      });
    } catch (err) {
      if (!(err instanceof GcpError && err.httpStatus === 409)) throw err instanceof GcpError ? this.cannot(err) : err;
      // "you already own it": created meanwhile by another run (or by our own create whose reply was lost).
      if (!/already own/i.test(err.message)) {
        throw new OperationError(`the run lock bucket ${this.bucket} cannot be created: the name is taken by someone else`, {
          hint: 'set ATLANTIS_RUN_LOCK_BUCKET to a bucket of this project the tool may write to',
        });
      }
    }
  }

  private cannot(err: GcpError): Error {
    if (err.reason === 'SERVICE_DISABLED') return err;
    return new OperationError(`cannot take the run lock ${this.location}: ${err.message}`, {
      hint: 'the tool keeps its run lock in Cloud Storage: the caller needs storage.buckets.create and storage.objects.create/get/delete in the project (roles/storage.admin)',
      cause: err,
    });
  }

  private heldError(holder: LockHolder | undefined, id: string): LockHeldError {
    const who = holder ? describe(holder) : 'a run whose lock cannot be read';
    return new LockHeldError(`another run holds the lock on ${this.o.service} in ${this.o.project}/${this.o.region}: ${who}, lock ${id}`, {
      hint: `wait for it to finish${holder ? ` (the lock expires at ${holder.expiresAt} unless that run renews it)` : ''}; if that run is gone, run again with --force-unlock ${id}`,
    });
  }
}

function describe(holder: LockHolder): string {
  return `${holder.command} by ${holder.holder} on ${holder.host} since ${holder.startedAt}`;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    return typeof parsed.id === 'string' && typeof parsed.expiresAt === 'string' ? (parsed as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown user';
  }
}
