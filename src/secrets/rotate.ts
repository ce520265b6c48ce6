// `secrets rotate webhook-secret|web-password`: a new random value (the same generator deploy uses
// the first time), pushed and rolled out like `secrets push`, then exactly what must change on the
// other side: the VCS webhook form for the webhook secret, the browser login for the UI password.
import { PROVIDERS, SECRET_NAMES, type SecretName } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState, PROJECT_NUMBER_PLACEHOLDER, type DesiredSecret } from '../desired/index.js';
import { UsageError } from '../errors.js';
import type { RunContext } from '../engine/context.js';
import { generateValue, type SecretValue } from '../secret-values/values.js';
import { selectSecret } from './context.js';
import { pushSecrets, type PushResult } from './push.js';

/** Only generated values can be rotated by the tool; the others are the user's to change. */
export const ROTATABLE: readonly SecretName[] = ['webhook-secret', 'web-password'];

export function selectRotatable(config: AtlantisRunConfig, name: string): DesiredSecret {
  if ((SECRET_NAMES as readonly string[]).includes(name) && !ROTATABLE.includes(name as SecretName)) {
    throw new UsageError(`secrets rotate generates new values for ${ROTATABLE.join(' and ')} only; ${name} is a value you supply`, {
      hint: `change it where it comes from (the VCS, the App settings, the file), then run: atlantis-run secrets push ${name}`,
    });
  }
  return selectSecret(config, name, ROTATABLE);
}

/**
 * `save`: writes the new value where the user asked (--output) — before the version is added, so
 * that a run killed right after adding it (or failing to roll it out) still leaves the value with
 * the user. The run lock is taken first: a rotation refused by another run writes nothing.
 */
export async function rotateSecret(
  run: RunContext,
  d: DesiredSecret,
  keep: number,
  save?: (value: SecretValue) => Promise<void>,
): Promise<{ result: PushResult; value: SecretValue }> {
  await run.runLock?.acquire();
  const value = generateValue();
  if (save) await save(value);
  try {
    const result = await pushSecrets(run, { mode: 'rollout', items: [{ desired: d, value }], keep });
    return { result, value };
  } catch (err) {
    // Whether the version went in depends on where it failed; the file holds the value either way.
    if (save) {
      run.emit({
        type: 'warning',
        phase: 'secrets',
        message: `the rotation stopped; the value it generated is in the --output file`,
        hint: `\`atlantis-run secrets list\` shows whether ${d.secretId} got a new version (if it did not, the file can go)`,
      });
    }
    throw err;
  }
}

/** The webhook URL: the custom domain, the live URL, or the deterministic one once the project number is known. */
export function webhookUrl(config: AtlantisRunConfig, liveUrl: string | undefined, projectNumber: string | undefined): string | undefined {
  if (config.domain) return `https://${config.domain}/events`;
  if (liveUrl) return `${liveUrl.replace(/\/$/, '')}/events`;
  const desired = desiredState(config, { projectNumber });
  return desired.projectNumber === PROJECT_NUMBER_PLACEHOLDER ? undefined : desired.webhookUrl;
}

/** What to change where, after a rotation. `reveal`: how the user gets the value (never the value). */
export function rotationSteps(
  config: AtlantisRunConfig,
  name: SecretName,
  url: string | undefined,
  reveal: string,
  live: boolean,
): string[] {
  const vcs = config.atlantis.vcs;
  const provider = PROVIDERS[vcs.provider];
  const what = vcs.provider === 'azuredevops' ? 'password' : 'secret';
  if (name === 'web-password') {
    const ui = url ? url.replace(/\/events$/, '') : 'the Atlantis web UI';
    return [
      live
        ? `The web UI password changed: ${ui} now takes user "${config.access.uiUser}" with the new password (${reveal}).`
        : `Once deployed, ${ui} takes user "${config.access.uiUser}" with the new password (${reveal}).`,
    ];
  }
  const lines = [
    live
      ? `Atlantis now expects the new webhook ${what}: until ${provider.label} sends it, webhooks are refused. Change it now:`
      : `The new webhook ${what} is staged: once \`atlantis-run deploy\` rolls it out, ${provider.label} must send it. Set it there at the same time:`,
    `  where:    ${provider.webhookHelp}`,
    `  URL:      ${url ?? '(the service URL + /events: see `atlantis-run status`)'}`,
  ];
  if (vcs.provider === 'azuredevops') {
    lines.push(`  user:     ${vcs.webhookUser}`, `  password: the new value (${reveal})`);
  } else {
    lines.push(`  secret:   the new value (${reveal})`);
  }
  lines.push('Then send a test delivery (or comment on a pull request) and check it is accepted.');
  return lines;
}
