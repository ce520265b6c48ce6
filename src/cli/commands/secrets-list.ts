// `atlantis-run secrets list`: names, ids, versions in use and newest, checksums — never a value.
import { formatList, listSecrets } from '../../secrets/list.js';
import type { Handler } from '../command.js';
import type { secretsListOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof secretsListOptions> = async (ctx, input) => {
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(input.options.waitTimeout) });
  const result = await listSecrets(run);
  if (ctx.globals.json) emitResult(ctx, 'secrets list', { service: run.config.service, ...result });
  else ctx.host.print(formatList(result, run.config.service));
  return 0;
};
