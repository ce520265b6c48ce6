// The report at the end of a deploy: where Atlantis is, the webhook URL, where the webhook secret
// lives and how to read it, and what to do next.
import { PROVIDERS } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState } from '../desired/index.js';
import type { EngineResult } from './runner.js';

export interface DeployReport {
  url: string;
  webhookUrl: string;
  revision: string | undefined;
  image: string | undefined;
  changes: number;
  project: string;
  region: string;
  service: string;
  webhookSecret: { secret: string; version: string | undefined; command: string } | undefined;
  uiUser: string | undefined;
  nextSteps: string[];
}

export function buildReport(config: AtlantisRunConfig, result: EngineResult): DeployReport {
  const desired = desiredState(config, result.facts);
  const service = result.results.service;
  const revision = service?.summary?.match(/revision (\S+)/)?.[1];
  const webhook = desired.secrets.find((s) => s.name === 'webhook-secret');
  const version = result.facts.secretVersions?.['webhook-secret'];
  const access = (secretId: string, v: string | undefined) => `gcloud secrets versions access ${v ?? 'latest'} --secret ${secretId} --project ${config.project}`;
  const provider = PROVIDERS[config.atlantis.vcs.provider];
  const nextSteps = [
    `Add the webhook — ${provider.webhookHelp}: URL ${desired.webhookUrl}${webhook ? ', secret from the command above' : ''}.`,
  ];
  const password = desired.secrets.find((s) => s.name === 'web-password');
  if (password) nextSteps.push(`Open ${desired.url} (user ${config.access.uiUser}; password: ${access(password.secretId, result.facts.secretVersions?.['web-password'])}).`);
  nextSteps.push('Comment `atlantis plan` on a pull request to see it work.');
  return {
    url: desired.url,
    webhookUrl: desired.webhookUrl,
    revision,
    image: result.facts.image,
    changes: result.plan.changeCount,
    project: config.project,
    region: config.region,
    service: config.service,
    webhookSecret: webhook ? { secret: webhook.resourceName, version, command: access(webhook.secretId, version) } : undefined,
    uiUser: config.access.uiAuth ? config.access.uiUser : undefined,
    nextSteps,
  };
}

export function formatReport(report: DeployReport): string {
  const lines = [
    '',
    `Atlantis is running${report.changes === 0 ? ' (no changes were needed)' : ''}.`,
    `  URL:            ${report.url}`,
    `  Webhook URL:    ${report.webhookUrl}`,
  ];
  if (report.revision) lines.push(`  Revision:       ${report.revision}`);
  if (report.image) lines.push(`  Image:          ${report.image}`);
  if (report.webhookSecret) {
    lines.push(`  Webhook secret: ${report.webhookSecret.secret} (version ${report.webhookSecret.version ?? '?'})`);
    lines.push(`                  print it with: ${report.webhookSecret.command}`);
  }
  lines.push('', 'Next steps:', ...report.nextSteps.map((s, i) => `  ${i + 1}. ${s}`));
  return `${lines.join('\n')}\n`;
}
