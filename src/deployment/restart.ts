// What a restart of Atlantis costs under the configured persistence: upgrade and rollback start a
// new instance (a new revision, or traffic moved to another one), and say so before they do.
import type { AtlantisRunConfig } from '../config/load.js';
import { persistenceSettings, survivesRestart } from '../config/persistence.js';

/** One sentence: what the new instance keeps and what it will not have. */
export function restartLoss(config: AtlantisRunConfig): string {
  const { kept, lost } = survivesRestart(persistenceSettings(config));
  const keeps = kept.length > 0 ? ` It keeps ${kept.join('; ')}.` : '';
  const hint = lost.some((l) => /plans|locks/.test(l)) ? ' Comment `atlantis plan` again on open pull requests.' : '';
  return `Atlantis restarts on a new instance and loses ${lost.join('; ')}.${keeps}${hint} Work in progress (a plan or apply running now) is interrupted.`;
}
