// `atlantis-run secrets list`: names, ids, versions in use and newest, checksums — never a value.
import { formatList, listSecrets } from '../../secrets/list.js';
import type { CommandHandler } from '../command.js';
import { waitTimeout } from './deploy.js';
import { openSecretsRun } from './secrets-common.js';

export const handler: CommandHandler = async (ctx, input) => {
  const run = await openSecretsRun(ctx, waitTimeout(input.options));
  const result = await listSecrets(run);
  if (ctx.globals.json) ctx.host.result({ ok: true, command: 'secrets list', service: run.config.service, ...result });
  else ctx.host.print(formatList(result, run.config.service));
  return 0;
};
