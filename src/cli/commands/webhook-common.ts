// What the three `webhook` handlers share: the provider and API URL from the configuration
// (--api-url overrides), the target (--repo / --org / --group), the admin token from the variable
// --token-env names (registered for redaction at once), the Atlantis webhook URL (--url, the mapped
// domain, or the live service's URL + /events) and, for `add`, the webhook secret read from the
// Secret Manager version in use (registered for redaction when read; never printed).
import { serviceUrl } from '../../cloudrun/service.js';
import type { RunContext } from '../../engine/context.js';
import { UsageError } from '../../errors.js';
import { getService } from '../../gcp/apis/run.js';
import { selectSecret } from '../../secrets/context.js';
import { webhookUrl } from '../../secrets/rotate.js';
import { revealValue } from '../../secrets/show.js';
import {
  describeTarget,
  openHooksApi,
  parseTarget,
  readAdminToken,
  webhookSettings,
  type HookTarget,
  type HooksApi,
} from '../../webhooks/index.js';
import type { WebhookSettings } from '../../webhooks/index.js';
import type { OptionsOf } from '../command.js';
import type { webhookTargetOptions } from '../command-table.js';
import type { CommandContext } from '../context.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export type WebhookOptions = OptionsOf<typeof webhookTargetOptions>;

export interface WebhookRun {
  settings: WebhookSettings;
  target: HookTarget;
  targetText: string;
  api: HooksApi;
  /** Opens the Google run on first use (not needed when --url and a list suffice). */
  googleRun: () => Promise<RunContext>;
}

/** Everything but Google: checked before any call, so a usage mistake costs nothing. */
export async function openWebhookRun(ctx: CommandContext, o: WebhookOptions): Promise<WebhookRun> {
  const config = await ctx.config();
  const settings = webhookSettings(config.atlantis.vcs, o.apiUrl);
  const target = parseTarget(settings.provider, o);
  const token = readAdminToken(ctx.env, o.tokenEnv, settings.label);
  const api = openHooksApi(settings, token, { signal: ctx.signal, log: (kind, data) => ctx.log.write(kind, data) });
  let run: Promise<RunContext> | undefined;
  return {
    settings,
    target,
    targetText: describeTarget(target),
    api,
    googleRun: () => (run ??= openRun(ctx, { waitTimeoutMs: waitTimeout(o.waitTimeout) })),
  };
}

/** --url, else the mapped domain, else the live service's URL (+ /events); undefined when not deployed. */
export async function atlantisWebhookUrl(ctx: CommandContext, o: WebhookOptions, w: WebhookRun): Promise<string | undefined> {
  if (o.url !== undefined) return checkUrl(o.url);
  const config = await ctx.config();
  if (config.domain) return `https://${config.domain}/events`;
  const run = await w.googleRun();
  const live = await getService(run.gcp, config.names.serviceName);
  return webhookUrl(config, serviceUrl(live), run.lock?.projectNumber);
}

export async function requireWebhookUrl(ctx: CommandContext, o: WebhookOptions, w: WebhookRun): Promise<string> {
  const url = await atlantisWebhookUrl(ctx, o, w);
  if (!url) {
    throw new UsageError('the webhook URL is not known yet: the service is not deployed', {
      hint: 'run `atlantis-run deploy` first, or pass --url https://HOST/events',
    });
  }
  return url;
}

/** The webhook secret in use (the version the live service pins, else the newest). */
export async function webhookSecret(ctx: CommandContext, w: WebhookRun): Promise<{ value: string; secretId: string; version: string }> {
  const config = await ctx.config();
  const d = selectSecret(config, 'webhook-secret');
  const revealed = await revealValue(await w.googleRun(), d);
  return { value: revealed.data.toString('utf8').trim(), secretId: revealed.secretId, version: revealed.version };
}

export function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: expected the Atlantis webhook URL, such as https://atlantis.example.com/events, got "${url}"`);
  }
  if (parsed.protocol !== 'https:') throw new UsageError('--url: the VCS must reach Atlantis over https://');
  return url;
}
