// `atlantis-run status`: live — URL, ready revision, image, instance settings, secret versions in
// use against the newest, and drift against the configuration and the lockfile (src/deployment/status.ts).
import path from 'node:path';
import { buildStatus, formatStatus } from '../../deployment/status.js';
import type { Handler } from '../command.js';
import type { statusOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { repeatedFlags } from '../plan-output.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof statusOptions> = async (ctx, input) => {
  const run = await openRun(ctx, {
    waitTimeoutMs: waitTimeout(input.options.waitTimeout),
    // Status shows drift as its own output; progress and warnings still go to stderr.
    emit: (event) => {
      if (event.type === 'resource-changed' && event.planned) return;
      ctx.host.emit(event);
    },
  });
  const status = await buildStatus(run);
  if (ctx.globals.json) emitResult(ctx, 'status', status);
  else
    ctx.host.print(
      formatStatus(status, {
        configFile: path.basename(run.config.configPath),
        hasLockfile: run.lock !== undefined,
        flags: repeatedFlags(ctx.globals),
      }),
    );
  return 0;
};
