// EXTENSION POINT between `init` and the secrets engine (`atlantis-run secrets push`, issue 5).
//
// init never asks for a secret value: it records where each value will come from (secrets.<name>:
// {fromEnv} / {fromFile}) and, once the files are written, calls handOffSecrets(). Today that
// pushes nothing and returns, per secret the user supplies, how to make its value available; the
// next steps print those lines. When `secrets push` lands, this is the one place to extend: on a
// terminal (input.interactive), offer to push each value now through the secrets engine (hidden
// input, or the configured source when it is available) and return `status: 'pushed'` for those.
// Callers already handle both statuses.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { PROVIDERS, secretSpecs } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import type { IoHost } from '../ui/host.js';

export interface SecretHandoffInput {
  config: AtlantisRunConfig;
  host: IoHost;
  env: NodeJS.ProcessEnv;
  /** File paths in instructions are shown relative to this folder. */
  cwd: string;
  /** A terminal is there to ask on (false with --non-interactive, --json, CI, no TTY). */
  interactive: boolean;
}

export interface SecretHandoff {
  /** Logical name (`vcs-token`, `github-app-key`). */
  name: string;
  /** Secret Manager id (`atlantis-vcs-token`). */
  secretId: string;
  description: string;
  source: { kind: 'env'; variable: string; present: boolean } | { kind: 'file'; path: string; present: boolean } | { kind: 'none' };
  /** `to-supply`: the user still has to provide the value; `pushed`: a version exists already. */
  status: 'to-supply' | 'pushed';
  /** One line for the next steps (never contains a value). */
  instruction: string;
}

export async function handOffSecrets(input: SecretHandoffInput): Promise<SecretHandoff[]> {
  const { config, env } = input;
  const out: SecretHandoff[] = [];
  for (const spec of secretSpecs(config)) {
    if (spec.origin !== 'user' || spec.name === 'repo-config' || spec.name === 'server-config') continue;
    const configured = config.secrets[spec.name];
    const what = credentialHelp(config, spec.name);
    let source: SecretHandoff['source'];
    let instruction: string;
    if (configured && 'fromEnv' in configured) {
      const present = Boolean(env[configured.fromEnv]);
      source = { kind: 'env', variable: configured.fromEnv, present };
      instruction = `export ${configured.fromEnv}=…  — ${what}${present ? ` (${configured.fromEnv} is set in this shell)` : ''}`;
    } else if (configured && 'fromFile' in configured) {
      const absolute = path.resolve(config.configDir, configured.fromFile);
      const present = existsSync(absolute);
      source = { kind: 'file', path: configured.fromFile, present };
      instruction = `${present ? 'keep' : 'put'} ${what} in ${path.relative(input.cwd, absolute) || absolute} (outside version control)`;
    } else {
      source = { kind: 'none' };
      instruction = `add secrets.${spec.name}: {fromEnv: VAR} or {fromFile: path} to the config — ${what}`;
    }
    out.push({ name: spec.name, secretId: `${config.service}-${spec.name}`, description: spec.description, source, status: 'to-supply', instruction });
  }
  return out;
}

/** What the credential is and the permissions it needs (Atlantis' access-credentials docs). */
function credentialHelp(config: AtlantisRunConfig, name: string): string {
  const vcs = config.atlantis.vcs;
  if (name === 'github-app-key') return 'the GitHub App private key (.pem from the App settings → Private keys)';
  const label = PROVIDERS[vcs.provider].label;
  switch (vcs.provider) {
    case 'github':
      return `a ${label} personal access token of ${vcs.user} with the repo scope`;
    case 'gitlab':
      return `a ${label} personal access token of ${vcs.user} with the api scope`;
    case 'bitbucket':
      return vcs.baseUrl === undefined
        ? `a Bitbucket Cloud API token (or app password) of ${vcs.apiUser ?? vcs.user} with pull requests read and write`
        : `a Bitbucket Server personal access token of ${vcs.user} with project read and pull request write`;
    case 'azuredevops':
      return `an Azure DevOps personal access token of ${vcs.user} with Code (Read & Write) and Code (Status)`;
    case 'gitea':
      return `a Gitea access token of ${vcs.user} with repository and issue read and write`;
    default:
      return `the ${label} credential`;
  }
}
