// `atlantis-run webhook add`: create the Atlantis webhook on a repository/organisation (GitHub,
// Gitea) or project/group (GitLab), or bring the existing one back in line. Idempotent: the hook is
// found by its URL and updated, never duplicated. The secret comes from Secret Manager, the admin
// token from the variable --token-env names; neither is printed.
import { reconcileHook } from '../../webhooks/index.js';
import type { Handler } from '../command.js';
import type { webhookAddOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { openWebhookRun, requireWebhookUrl, webhookSecret } from './webhook-common.js';

export const handler: Handler<typeof webhookAddOptions> = async (ctx, input) => {
  const keepSecret = Boolean(input.options.ifChanged);
  const w = await openWebhookRun(ctx, input.options);
  const url = await requireWebhookUrl(ctx, input.options, w);
  const secret = await webhookSecret(ctx, w);
  const result = await reconcileHook(
    w.api,
    w.target,
    { url, events: [...w.api.atlantisEvents], secret: secret.value },
    {
      secret: keepSecret ? 'if-changed' : 'resend',
    },
  );
  if (result.duplicates.length > 0) {
    ctx.host.emit({
      type: 'warning',
      message: `${result.duplicates.length} more webhook${result.duplicates.length === 1 ? '' : 's'} on ${w.targetText} send${result.duplicates.length === 1 ? 's' : ''} to ${url} (id ${result.duplicates.join(', ')}): Atlantis receives each event more than once`,
      hint: 'remove them: `atlantis-run webhook remove` deletes every hook with this URL, then `webhook add` creates one',
    });
  }
  const payload = {
    provider: w.settings.provider,
    target: w.targetText,
    url,
    action: result.action,
    hookId: result.hook.id,
    events: result.hook.events,
    changes: result.changes,
    duplicates: result.duplicates,
    secret: { secretId: secret.secretId, version: secret.version },
  };
  if (ctx.globals.json) {
    emitResult(ctx, 'webhook add', payload);
    return 0;
  }
  const verb = { created: 'Created', updated: 'Updated', unchanged: 'Already in place:' }[result.action];
  const lines = [
    `${verb} the Atlantis webhook on ${w.targetText} (${w.settings.label}, hook ${result.hook.id}).`,
    `  URL:     ${url}`,
    `  events:  ${w.api.atlantisEvents.join(', ')}`,
    `  secret:  ${secret.secretId} version ${secret.version}${result.action === 'unchanged' ? ' (not re-sent: --if-changed)' : ''}`,
  ];
  if (result.changes.length > 0) lines.push(`  changed: ${result.changes.join(', ')}`);
  ctx.host.print(lines.join('\n'));
  return 0;
};
