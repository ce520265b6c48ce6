// `atlantis-run webhook remove`: delete the Atlantis webhook (every hook of the target whose URL is
// the Atlantis URL; normally one) and nothing else. Asks first on a terminal; -y in scripts.
import { UsageError } from '../../errors.js';
import { findHooks } from '../../webhooks/index.js';
import type { CommandHandler } from '../command.js';
import { openWebhookRun, requireWebhookUrl } from './webhook-common.js';

export const handler: CommandHandler = async (ctx, input) => {
  const w = await openWebhookRun(ctx, input);
  const url = await requireWebhookUrl(ctx, input, w);
  const matching = await findHooks(w.api, w.target, url);
  if (matching.length === 0) {
    if (ctx.globals.json) ctx.host.result({ ok: true, command: 'webhook remove', target: w.targetText, url, removed: [] });
    else ctx.host.print(`No webhook on ${w.targetText} sends to ${url}: nothing to remove.`);
    return 0;
  }
  const ids = matching.map((h) => h.id);
  if (!ctx.globals.yes) {
    const question = `Delete webhook ${ids.join(', ')} (${url}) from ${w.targetText}? Atlantis stops receiving its events.`;
    if (!ctx.host.canPrompt)
      throw new UsageError('removing the webhook needs confirmation and this run is not interactive', { hint: 'pass --yes (-y)' });
    if (!(await ctx.host.confirm({ message: question, flag: '--yes', default: false }))) {
      ctx.host.print('Nothing was changed.');
      ctx.host.result({ ok: true, command: 'webhook remove', cancelled: true });
      return 0;
    }
  }
  for (const id of ids) await w.api.delete(w.target, id);
  if (ctx.globals.json)
    ctx.host.result({ ok: true, command: 'webhook remove', provider: w.settings.provider, target: w.targetText, url, removed: ids });
  else ctx.host.print(`Removed webhook ${ids.join(', ')} (${url}) from ${w.targetText}.`);
  return 0;
};
