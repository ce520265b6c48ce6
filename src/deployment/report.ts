// The report at the end of a deploy: where Atlantis is, the webhook URL, where the webhook secret
// lives and how to read it, and what to do next.
import { PROVIDERS } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState } from '../desired/index.js';
import { resultOf, type EngineResult } from '../engine/runner.js';
import { REGENERATED } from '../phases/secrets.js';
import { servicePhase } from '../phases/service.js';
import { tagOf, withVersion } from '../cloudrun/version.js';

export interface ReportOptions {
  /** Flags to repeat in suggested commands (" --config other.yaml --emulator"). */
  flags: string;
  emulated: boolean;
  /** The same flags for a run against Google Cloud (no --emulator). */
  realFlags?: string;
  /** The emulator was chosen by ATLANTIS_RUN_EMULATOR_HOST rather than --emulator. */
  emulatorFromEnv?: boolean;
}

/** The project id of the bundled example (examples/quickstart): a rehearsal, not anyone's project. */
export const QUICKSTART_PROJECT = 'atlantis-quickstart';

export interface DeployReport {
  emulated: boolean;
  url: string;
  webhookUrl: string;
  revision?: string;
  image?: string;
  /** The Atlantis version (tag) the image was resolved from. */
  version?: string;
  changes: number;
  project: string;
  region: string;
  service: string;
  webhookSecret?: { secret: string; version?: string; command: string };
  uiUser?: string;
  nextSteps: string[];
}

export function buildReport(
  config: AtlantisRunConfig,
  result: EngineResult,
  options: ReportOptions = { flags: '', emulated: false },
): DeployReport {
  const desired = desiredState(config, result.facts);
  const revision = resultOf(result, servicePhase)?.record?.readyRevision;
  const webhook = desired.secrets.find((s) => s.name === 'webhook-secret');
  const version = result.facts.secretVersions?.['webhook-secret'];
  const show = (name: string) => `atlantis-run secrets show ${name}${options.flags}`;
  const provider = PROVIDERS[config.atlantis.vcs.provider];
  const nextSteps: string[] = regeneratedSecrets(result, desired.secrets).map((name) =>
    name === 'webhook-secret'
      ? `webhook-secret was regenerated (no enabled version was left): update the secret of the webhook on the VCS side — ${show(name)}.`
      : `${name} was regenerated (no enabled version was left): the previous value no longer works — ${show(name)}.`,
  );
  if (options.emulated && config.project === QUICKSTART_PROJECT) {
    // Nothing listens at an emulated URL: the step that matters is the real deployment.
    nextSteps.push(
      'Deploy for real: in your own infrastructure repository, sign in (`gcloud auth application-default login`) and run `atlantis-run init` — it writes atlantis-run.yaml for your Google Cloud project.',
      'Then `atlantis-run deploy` there: the same plan against Google Cloud, ending with the webhook URL to register on your VCS.',
    );
  } else if (options.emulated) {
    // A configuration of one's own, rehearsed: the same command against Google is the next step.
    nextSteps.push(
      `Deploy for real: sign in (\`gcloud auth application-default login\`), then \`atlantis-run deploy${options.realFlags ?? ''}\`${
        options.emulatorFromEnv ? ' with ATLANTIS_RUN_EMULATOR_HOST unset' : ''
      } — the same plan against project ${config.project}, ending with the webhook URL to register on your VCS.`,
    );
  } else {
    nextSteps.push(
      `Add the webhook — ${provider.webhookHelp}: URL ${desired.webhookUrl}${webhook ? ', secret from the command above' : ''}.`,
    );
    const password = desired.secrets.find((s) => s.name === 'web-password');
    if (password) nextSteps.push(`Open ${desired.url} (user ${config.access.uiUser}; password: ${show('web-password')}).`);
    nextSteps.push('Comment `atlantis plan` on a pull request to see it work.');
  }
  return {
    emulated: options.emulated,
    url: desired.url,
    webhookUrl: desired.webhookUrl,
    revision,
    image: result.facts.image,
    version: config.image.strategy === 'reference' ? tagOf(config.image.reference) : config.atlantis.version,
    changes: result.plan.changeCount,
    project: config.project,
    region: config.region,
    service: config.service,
    webhookSecret: webhook ? { secret: webhook.resourceName, version, command: show('webhook-secret') } : undefined,
    uiUser: config.access.uiAuth ? config.access.uiUser : undefined,
    nextSteps,
  };
}

/** Generated secrets this deploy made again (the plan says so), by logical name. */
function regeneratedSecrets(result: EngineResult, secrets: readonly { name: string; secretId: string }[]): string[] {
  const changes = result.plan.phases.find((p) => p.name === 'secrets')?.plan.changes ?? [];
  return changes
    .filter((c) => c.kind === 'secret version' && c.reason === REGENERATED)
    .flatMap((c) => secrets.filter((s) => c.resource.startsWith(`${s.secretId}/`)).map((s) => s.name));
}

export function formatReport(report: DeployReport): string {
  const unchanged = report.changes === 0 ? ' (no changes were needed)' : '';
  const lines = report.emulated
    ? [
        `Rehearsal in the local emulator done${unchanged}: nothing runs there, and no URL below answers.`,
        `  URL:            ${report.url}   (emulated)`,
        `  Webhook URL:    ${report.webhookUrl}   (emulated)`,
      ]
    : [`Atlantis is running${unchanged}.`, `  URL:            ${report.url}`, `  Webhook URL:    ${report.webhookUrl}`];
  if (report.revision) lines.push(`  Revision:       ${report.revision}`);
  if (report.image) lines.push(`  Image:          ${withVersion(report.image, report.version)}`);
  if (report.webhookSecret) {
    lines.push(`  Webhook secret: ${report.webhookSecret.secret} (version ${report.webhookSecret.version ?? '?'})`);
    lines.push(`                  print it with: ${report.webhookSecret.command}`);
  }
  lines.push('', 'Next steps:', ...report.nextSteps.map((s, i) => `  ${i + 1}. ${s}`));
  return `${lines.join('\n')}\n`;
}
