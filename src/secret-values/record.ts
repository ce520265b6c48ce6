// What the lockfile records of each secret: never a value, only the versions and the SHA-256 of the
// value last pushed (how the tool tells a changed value without storing it).
import { recordKey } from '../state/lockfile.js';

export interface LockedSecret {
  /** projects/P/secrets/ID */
  name: string;
  /** The version number the service is pinned to. */
  version?: string;
  /** The newest version added by the tool and not yet rolled out (secrets push --stage). */
  stagedVersion?: string;
  /** SHA-256 (hex) of the value last pushed. */
  sha256?: string;
  generated?: boolean;
  updatedAt?: string;
}

/** The secrets phase's record: one entry per logical secret name. */
export const SECRETS_RECORD = recordKey<Record<string, LockedSecret>>('secrets');
