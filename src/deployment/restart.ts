// What a restart of Atlantis costs under the configured persistence: upgrade and rollback start a
// new instance (a new revision, or traffic moved to another one), and say so before they do.
import type { AtlantisRunConfig } from '../config/load.js';

/** One sentence: what the new instance will not have. */
export function restartLoss(config: AtlantisRunConfig): string {
  const mode: string = config.persistence.mode;
  switch (mode) {
    case 'memory':
      return (
        'Atlantis restarts on a new instance, and with persistence.mode: memory its data dir starts empty: ' +
        'plans waiting to be applied, locks and the pull-request state in its BoltDB are lost — comment ' +
        '`atlantis plan` again on open pull requests.'
      );
    default:
      return `Atlantis restarts on a new instance (persistence.mode: ${mode}): work in progress — a plan or apply running now — is interrupted.`;
  }
}
