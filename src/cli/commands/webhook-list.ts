// `atlantis-run webhook list`: the webhooks of a repository/organisation/project/group, with the
// Atlantis one marked (found by its URL). Read-only; secrets are never shown (no API returns them).
import { sameUrl, type LiveHook } from '../../webhooks/index.js';
import type { Handler } from '../command.js';
import type { webhookTargetOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { atlantisWebhookUrl, openWebhookRun } from './webhook-common.js';

export const handler: Handler<typeof webhookTargetOptions> = async (ctx, input) => {
  const w = await openWebhookRun(ctx, input.options);
  const url = await atlantisWebhookUrl(ctx, input.options, w);
  const hooks = await w.api.list(w.target);
  const isAtlantis = (h: LiveHook) => url !== undefined && sameUrl(h.url, url);
  if (ctx.globals.json) {
    emitResult(ctx, 'webhook list', {
      provider: w.settings.provider,
      target: w.targetText,
      atlantisUrl: url ?? null,
      hooks: hooks.map((h) => ({ ...h, atlantis: isAtlantis(h) })),
    });
    return 0;
  }
  if (hooks.length === 0) {
    ctx.host.print(
      `No webhooks on ${w.targetText} (${w.settings.label}).${url ? ` Add Atlantis' with \`atlantis-run webhook add\`.` : ''}`,
    );
    return 0;
  }
  const lines = [`Webhooks on ${w.targetText} (${w.settings.label}):`];
  for (const h of hooks) {
    const flags = [h.active ? undefined : 'inactive', h.secretSet === false ? 'no secret' : undefined].filter(Boolean).join(', ');
    lines.push(`  ${isAtlantis(h) ? '*' : ' '} ${String(h.id).padEnd(10)} ${h.url}${flags ? `  (${flags})` : ''}`);
    lines.push(`    ${' '.repeat(10)} events: ${h.events.join(', ') || '(none)'}`);
  }
  const count = hooks.filter(isAtlantis).length;
  lines.push(
    url === undefined
      ? 'The Atlantis webhook URL is not known (not deployed): pass --url to mark it.'
      : count === 0
        ? `No webhook sends to ${url}: \`atlantis-run webhook add\` creates it.`
        : `* sends to Atlantis (${url})${count > 1 ? `: ${count} hooks, Atlantis receives each event ${count} times` : ''}.`,
  );
  ctx.host.print(lines.join('\n'));
  return 0;
};
