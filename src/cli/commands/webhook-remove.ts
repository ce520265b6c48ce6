// `atlantis-run webhook remove`: delete the Atlantis webhook (every hook of the target whose URL is
// the Atlantis URL; normally one) and nothing else. Asks first on a terminal; -y in scripts.
import { findHooks } from '../../webhooks/index.js';
import type { Handler } from '../command.js';
import type { webhookTargetOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { openWebhookRun, requireWebhookUrl } from './webhook-common.js';

export const handler: Handler<typeof webhookTargetOptions> = async (ctx, input) => {
  const w = await openWebhookRun(ctx, input.options);
  const url = await requireWebhookUrl(ctx, input.options, w);
  const matching = await findHooks(w.api, w.target, url);
  const base = { provider: w.settings.provider, target: w.targetText, url };
  if (matching.length === 0) {
    if (ctx.globals.json) emitResult(ctx, 'webhook remove', { ...base, removed: [] });
    else ctx.host.print(`No webhook on ${w.targetText} sends to ${url}: nothing to remove.`);
    return 0;
  }
  const ids = matching.map((h) => h.id);
  const go = await confirmOrRequireYes(ctx, {
    question: `Delete webhook ${ids.join(', ')} (${url}) from ${w.targetText}`,
    detail: 'Atlantis stops receiving its events.',
    refusal: 'removing the webhook needs confirmation and this run is not interactive',
  });
  if (!go) return cancelled(ctx, 'webhook remove', 'Nothing was changed.', { cancelled: true });
  for (const id of ids) await w.api.delete(w.target, id);
  if (ctx.globals.json) emitResult(ctx, 'webhook remove', { ...base, removed: ids });
  else ctx.host.print(`Removed webhook ${ids.join(', ')} (${url}) from ${w.targetText}.`);
  return 0;
};
