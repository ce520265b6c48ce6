// `ci init github|gitlab`: configuration and options in, files out — a pure function over the
// templates in templates/ci. GitHub: a deploy workflow and a drift-check workflow. GitLab: one
// pipeline (deploy, and drift on schedules) and the committed credential configuration file.
import { toolVersion } from '../version.js';
import { credentialConfig, checkProvider, checkServiceAccount } from './credentials.js';
import { indent, renderTemplate, safeWord, type CiTemplateName } from './render.js';
import { summaryCommand } from './summary.js';
import { UsageError } from '../errors.js';

export const CI_SYSTEMS = ['github', 'gitlab'] as const;
export type CiSystem = (typeof CI_SYSTEMS)[number];

export interface CiOptions {
  /** atlantis-run.yaml relative to the repository root (forward slashes). */
  configPath: string;
  defaultBranch: string;
  /** What `npm install --global` installs: a committed tarball or a git URL (not on the npm registry). */
  install: string;
  nodeVersion: string;
  /** Five-field cron, UTC (GitHub only: GitLab schedules live in its UI). */
  driftSchedule: string;
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER. GitHub: defaults to a repository variable. */
  workloadIdentityProvider?: string;
  serviceAccount?: string;
  /** GitLab: `aud` of the job's ID token; must be an audience the Google provider allows. */
  audience: string;
  /** GitLab: where the pipeline is written (default .gitlab-ci.yml). */
  gitlabCiFile: string;
  /** GitLab: the credential configuration file. */
  credentialsFile: string;
}

export interface GeneratedFile {
  path: string;
  content: string;
  /** One line for the report. */
  description: string;
}

export const TOKEN_FILE = '.gitlab-oidc-token';
export const GITHUB_PROVIDER_VARIABLE = 'ATLANTIS_RUN_WORKLOAD_IDENTITY_PROVIDER';
export const GITHUB_ACCOUNT_VARIABLE = 'ATLANTIS_RUN_SERVICE_ACCOUNT';

/** Defaults for what the user did not say. `gitlabHost`: the configured self-managed GitLab, if any. */
export function defaultCiOptions(configPath: string, gitlabHost?: string): CiOptions {
  return {
    configPath,
    defaultBranch: 'main',
    install: `./atlantis-run-${toolVersion()}.tgz`,
    nodeVersion: '22',
    driftSchedule: '17 6 * * *',
    audience: `https://${gitlabHost ?? 'gitlab.com'}`,
    gitlabCiFile: '.gitlab-ci.yml',
    credentialsFile: '.gitlab/atlantis-run-credentials.json',
  };
}

export function ciFiles(system: CiSystem, options: CiOptions, templates: Record<CiTemplateName, string>): GeneratedFile[] {
  const common = commonValues(options);
  if (system === 'github') {
    const values = {
      ...common,
      WORKLOAD_IDENTITY_PROVIDER: options.workloadIdentityProvider
        ? checkProvider(options.workloadIdentityProvider)
        : `\${{ vars.${GITHUB_PROVIDER_VARIABLE} }}`,
      SERVICE_ACCOUNT: options.serviceAccount ? checkServiceAccount(options.serviceAccount) : `\${{ vars.${GITHUB_ACCOUNT_VARIABLE} }}`,
      DRIFT_SCHEDULE: checkCron(options.driftSchedule),
      SUMMARY_SCRIPT: indent(summaryCommand('"$RESULT_FILE"'), 10),
    };
    return [
      {
        path: '.github/workflows/atlantis-run-deploy.yml',
        content: renderTemplate('github-deploy.yml', templates['github-deploy.yml'], values),
        description: `deploy on every push to ${options.defaultBranch}`,
      },
      {
        path: '.github/workflows/atlantis-run-drift.yml',
        content: renderTemplate('github-drift.yml', templates['github-drift.yml'], values),
        description: `drift check on schedule "${options.driftSchedule}" (UTC)`,
      },
    ];
  }
  if (!options.workloadIdentityProvider || !options.serviceAccount) {
    throw new UsageError(
      'ci init gitlab writes a credential configuration file: it needs --workload-identity-provider and --service-account',
      {
        hint: '`atlantis-run ci setup gitlab --repo GROUP/PROJECT` creates both and prints them',
      },
    );
  }
  const credentialsFile = safeWord('--credentials-file', options.credentialsFile, '.gitlab/atlantis-run-credentials.json');
  const values = {
    ...common,
    AUDIENCE: checkAudience(options.audience),
    CREDENTIALS_FILE: credentialsFile,
    TOKEN_FILE,
    SUMMARY_SCRIPT_GITLAB: indent(summaryCommand('atlantis-run-deploy.jsonl'), 6),
  };
  const credentials = credentialConfig(options.workloadIdentityProvider, options.serviceAccount, TOKEN_FILE);
  return [
    {
      path: safeWord('--output', options.gitlabCiFile, '.gitlab-ci.yml'),
      content: renderTemplate('gitlab-ci.yml', templates['gitlab-ci.yml'], values),
      description: 'deploy on the default branch, drift check on pipeline schedules',
    },
    {
      path: credentialsFile,
      content: `${JSON.stringify(credentials, null, 2)}\n`,
      description: 'credential configuration (workload identity federation; no secret in it: commit it)',
    },
  ];
}

function commonValues(o: CiOptions): Record<string, string> {
  return {
    CONFIG_PATH: safeWord('--config', o.configPath, 'atlantis-run.yaml'),
    DEFAULT_BRANCH: safeWord('--branch', o.defaultBranch, 'main'),
    INSTALL_SPEC: safeWord('--install', o.install, './atlantis-run-0.1.0.tgz or git+https://github.com/OWNER/atlantis-run.git#v0.1.0'),
    NODE_VERSION: checkNode(o.nodeVersion),
  };
}

function checkCron(value: string): string {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => /^[\d*/,-]+$/.test(f))) {
    throw new UsageError(`--drift-schedule: expected five cron fields such as "17 6 * * 1-5", got "${value}"`);
  }
  return fields.join(' ');
}

function checkNode(value: string): string {
  if (!/^\d{2}(\.\d+){0,2}$/.test(value) || Number(value.split('.')[0]) < 22) {
    throw new UsageError(`--node-version: atlantis-run needs Node.js 22 or newer, got "${value}"`);
  }
  return value;
}

function checkAudience(value: string): string {
  if (!/^https:\/\/[^\s'"]+$/.test(value))
    throw new UsageError(`--audience: expected an https:// URL such as https://gitlab.com, got "${value}"`);
  return value;
}
