// Proposed command definitions for `webhook add|list|remove` and `ci init`, for src/cli/registry.ts
// (not registered yet: the lead wires them in — spread `webhookCiCommands` into `commands`, or copy
// the entries). Metadata only; each handler module loads when its command runs.
import { defineCommand, type CommandDefinition, type OptionDefinition } from './command.js';

const target: OptionDefinition[] = [
  { flags: '--repo <path>', description: 'GitHub/Gitea repository OWNER/NAME, or GitLab project GROUP/[SUBGROUP/]PROJECT' },
  { flags: '--org <org>', description: 'GitHub/Gitea organisation (an organisation webhook)' },
  { flags: '--group <path>', description: 'GitLab group path (a group webhook; GitLab Premium or Ultimate)' },
  {
    flags: '--token-env <var>',
    description: 'NAME of the environment variable holding an admin token of the VCS (never the token itself; never stored)',
  },
  {
    flags: '--api-url <url>',
    description: 'VCS API base URL (default from the vcs settings: https://api.github.com, https://HOST/api/v3, …/api/v4, BASE/api/v1)',
  },
  { flags: '--url <url>', description: 'Atlantis webhook URL (default: the mapped domain or the deployed service, + /events)' },
  { flags: '--wait-timeout <duration>', description: 'bound on waiting for Google Cloud', hidden: true },
];

const TOKENS =
  'The admin token is read from the environment variable --token-env names: GitHub a classic token with admin:repo_hook ' +
  '(admin:org_hook for --org) or a fine-grained one with "Webhooks: read and write"; GitLab a token with the api scope of a ' +
  'Maintainer (Owner for --group); Gitea a token with write:repository (write:organization for --org). It is never stored, ' +
  'printed or taken as an argument.';

export const webhookCiCommands: CommandDefinition[] = [
  defineCommand({
    name: 'webhook add',
    summary: 'create or update the Atlantis webhook on a repository, organisation, project or group',
    description:
      'GitHub (repository or organisation; GitHub Enterprise via vcs.hostname), GitLab (project or group; self-managed via ' +
      'vcs.hostname) and Gitea (repository or organisation; vcs.baseUrl). The hook sends the events Atlantis documents for ' +
      'the provider, as JSON, to the service URL (or the mapped domain) + /events, signed with the webhook secret read from ' +
      'the Secret Manager version in use (never printed). Idempotent: a hook with the same URL is updated, never duplicated.\n\n' +
      'A secret cannot be read back from the VCS, so an existing hook gets the secret again each time (reported as "secret ' +
      're-sent"); --if-changed leaves a hook whose readable settings match alone.\n\n' +
      TOKENS,
    usesConfig: true,
    options: [
      ...target,
      { flags: '--if-changed', description: 'do not re-send the secret to a hook whose URL, events and settings already match' },
    ],
    examples: [
      'GH_ADMIN_TOKEN=… atlantis-run webhook add --repo acme/infra --token-env GH_ADMIN_TOKEN',
      'atlantis-run webhook add --org acme --token-env GH_ADMIN_TOKEN',
      'atlantis-run webhook add --repo platform/terraform/live --token-env GITLAB_ADMIN_TOKEN   # GitLab project',
    ],
    load: () => import('./commands/webhook-add.js'),
  }),
  defineCommand({
    name: 'webhook list',
    summary: 'the webhooks of a repository, organisation, project or group; the Atlantis one marked',
    description: 'Read-only. Marks with * the hooks that send to the Atlantis webhook URL. Secrets are never shown.\n\n' + TOKENS,
    usesConfig: true,
    options: target,
    examples: [
      'atlantis-run webhook list --repo acme/infra --token-env GH_ADMIN_TOKEN',
      'atlantis-run webhook list --group platform --token-env GITLAB_ADMIN_TOKEN --json',
    ],
    load: () => import('./commands/webhook-list.js'),
  }),
  defineCommand({
    name: 'webhook remove',
    summary: 'delete the Atlantis webhook (and only it) from a repository, organisation, project or group',
    description:
      'Deletes every hook of the target whose URL is the Atlantis webhook URL (normally one); other hooks stay. Asks first on a terminal; -y in scripts.\n\n' +
      TOKENS,
    usesConfig: true,
    options: target,
    examples: [
      'atlantis-run webhook remove --repo acme/infra --token-env GH_ADMIN_TOKEN',
      'atlantis-run webhook remove --org acme --token-env GH_ADMIN_TOKEN -y',
    ],
    load: () => import('./commands/webhook-remove.js'),
  }),
  defineCommand({
    name: 'ci init',
    summary: 'write a CI pipeline: deploy on the default branch, a scheduled drift check, keyless Google credentials',
    description:
      'github: .github/workflows/atlantis-run-deploy.yml (on push to the default branch: `deploy -y --json`, the result in the ' +
      'job summary) and atlantis-run-drift.yml (on a schedule: `plan --detailed-exitcode`, failing on drift with the diff), ' +
      'authenticated by google-github-actions/auth with workload identity federation (id-token: write). The provider and ' +
      'service account default to the repository variables ATLANTIS_RUN_WORKLOAD_IDENTITY_PROVIDER and ATLANTIS_RUN_SERVICE_ACCOUNT.\n\n' +
      'gitlab: .gitlab-ci.yml (deploy on the default branch; drift check on pipeline schedules) using id_tokens, and the ' +
      'credential configuration file it reads (external_account; no secret in it: commit it). Needs --workload-identity-provider ' +
      'and --service-account.\n\n' +
      'atlantis-run is not on the npm registry: the pipelines install it with `npm install --global SPEC`, by default a tarball ' +
      'committed beside the config (./atlantis-run-VERSION.tgz from `npm pack`); --install takes a git URL instead. Existing ' +
      'files are never replaced without --force. Run it from the repository root.',
    usesConfig: true,
    argument: { name: 'system', description: 'github or gitlab', required: true },
    options: [
      {
        flags: '--workload-identity-provider <name>',
        description: 'projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER',
      },
      { flags: '--service-account <email>', description: 'the deployer service account the pipeline impersonates' },
      { flags: '--install <spec>', description: 'what `npm install --global` installs in CI (default: ./atlantis-run-VERSION.tgz)' },
      { flags: '--branch <name>', description: 'default branch (GitHub; GitLab uses $CI_DEFAULT_BRANCH)', default: 'main' },
      { flags: '--drift-schedule <cron>', description: 'drift check schedule, five cron fields, UTC (GitHub)', default: '17 6 * * *' },
      { flags: '--node-version <version>', description: 'Node.js in CI (22 or newer)', default: '22' },
      { flags: '--audience <url>', description: 'GitLab: aud of the job ID token (default https://gitlab.com or https://HOST)' },
      { flags: '--output <file>', description: 'GitLab: where the pipeline is written (default .gitlab-ci.yml; include: it from yours)' },
      {
        flags: '--credentials-file <file>',
        description: 'GitLab: the credential configuration file (default .gitlab/atlantis-run-credentials.json)',
      },
      { flags: '--force', description: 'replace existing files' },
    ],
    examples: [
      'atlantis-run ci init github',
      'atlantis-run ci init github --install git+https://github.com/acme/atlantis-run.git#v0.1.0',
      'atlantis-run ci init gitlab --workload-identity-provider projects/123/locations/global/workloadIdentityPools/gitlab/providers/atlantis-run \\\n' +
        '      --service-account atlantis-deployer@my-project.iam.gserviceaccount.com',
    ],
    load: () => import('./commands/ci-init.js'),
  }),
];
