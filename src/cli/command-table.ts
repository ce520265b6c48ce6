// Every command the CLI lists. Only metadata lives here; each handler module loads on use, its
// options typed from the option list here (`Handler<typeof deployOptions>`).
import { defineCommand, type CommandDefinition, type OptionDefinition } from './command.js';
import { BUILDER, FORCE_OUTPUT, KEEP, OUTPUT, READ_WAIT_TIMEOUT, WAIT_TIMEOUT } from './options.js';

export const initOptions = [
  {
    flags: '--non-interactive',
    description: 'never prompt: answers come from flags and defaults (automatic without a TTY, with CI or --json)',
  },
  { flags: '--service <name>', description: 'Cloud Run service name, prefix of every resource (default: atlantis)' },
  { flags: '--atlantis-version <tag>', description: 'tag of ghcr.io/runatlantis/atlantis (default: the newest this tool knows)' },
  { flags: '--vcs <provider>', description: 'github, github-app, gitlab, bitbucket, azuredevops or gitea' },
  { flags: '--vcs-user <user>', description: 'user Atlantis acts as (all providers but github-app)' },
  { flags: '--vcs-hostname <host>', description: 'GitHub Enterprise, self-managed GitLab or Azure DevOps Server host name' },
  { flags: '--vcs-base-url <url>', description: 'Bitbucket Server / Data Center or Gitea base URL (Bitbucket: given means Server)' },
  { flags: '--vcs-webhook-user <user>', description: 'Azure DevOps: basic-auth user sent with webhooks' },
  { flags: '--vcs-api-user <user>', description: 'Bitbucket Cloud: API user of an API token, usually an e-mail' },
  { flags: '--gh-app-id <id>', description: 'GitHub App id' },
  { flags: '--gh-app-slug <slug>', description: 'GitHub App slug (optional)' },
  { flags: '--gh-app-installation-id <id>', description: 'GitHub App installation id (optional)' },
  {
    flags: '--repo-allowlist <patterns>',
    description: 'repositories Atlantis serves, e.g. github.com/acme/* (repeatable or comma-separated)',
    repeatable: true,
  },
  { flags: '--persistence <mode>', description: 'where the data dir lives: memory (default)' },
  { flags: '--data-volume-size <size>', description: 'size of the in-memory data volume (default: 1Gi, half the memory)' },
  { flags: '--domain <host>', description: 'custom domain mapped to the service (optional)' },
  {
    flags: '--role <role>',
    description: 'project role for the runtime service account (repeatable or comma-separated)',
    repeatable: true,
  },
  { flags: '--repo-config', description: 'also write a starter server-side repos.yaml beside the config' },
  {
    flags: '--token-env <var>',
    description: 'environment variable the VCS token will be read from (default: GITHUB_TOKEN, GITLAB_TOKEN…)',
    envName: true,
  },
  { flags: '--token-file <path>', description: 'file the VCS token will be read from' },
  { flags: '--app-key-file <path>', description: 'GitHub App: file the private key (PEM) will be read from' },
  { flags: '--app-key-env <var>', description: 'GitHub App: environment variable the private key will be read from', envName: true },
  { flags: '--force', description: 'replace an existing atlantis-run.yaml (and repos.yaml)' },
  {
    flags: '--push-secrets',
    description: 'store the secret values in Secret Manager now, from their configured sources (asked on a terminal)',
  },
] as const satisfies readonly OptionDefinition[];

export const initCommand = defineCommand({
  name: 'init',
  summary: 'write atlantis-run.yaml: a wizard on a terminal, flags for scripts',
  // One paragraph per line: commander wraps them to the terminal's width.
  description:
    'Asks for the project, region, service name, Atlantis version, VCS provider and what it needs, the repositories ' +
    'Atlantis serves, persistence, an optional domain, project roles for the runtime account, a starter repos.yaml, ' +
    'and where each secret value will be read from (an environment variable or a file; values are never asked here). ' +
    'Writes atlantis-run.yaml (path: --config) after validating it; existing files are kept unless --force.\n\n' +
    'Every question has a flag. Without a terminal, with CI set, with --json or --non-interactive, nothing is asked: ' +
    'each answer comes from its flag or its default, and a missing required one exits 2 naming the flag. The global ' +
    '--project and --region answer the first two questions (defaults: CLOUDSDK_CORE_PROJECT / CLOUDSDK_RUN_REGION, ' +
    'then the active gcloud configuration).',
  usesConfig: true,
  options: initOptions,
  examples: [
    'atlantis-run init',
    'atlantis-run init --non-interactive --project my-project --region europe-west1 --vcs github --vcs-user atlantis-bot \\\n' +
      '      --repo-allowlist "github.com/acme/*" --token-env GITHUB_TOKEN',
  ],
  load: () => import('./commands/init.js'),
});

export const renderOptions = [
  { flags: '--dockerfile', description: 'image.strategy build: print only the Dockerfile a recipe generates' },
] as const satisfies readonly OptionDefinition[];

export const renderCommand = defineCommand({
  name: 'render',
  summary: 'print every resource as it would be sent to Google Cloud, offline',
  description:
    'Builds the desired state from atlantis-run.yaml without calling Google Cloud: APIs, the Artifact Registry\n' +
    'repository, secrets (names only), the runtime service account and its bindings, and the Cloud Run v2\n' +
    'Service. What only the cloud knows (project number, secret versions) comes from the lockfile, or is\n' +
    'shown as a <placeholder>.',
  usesConfig: true,
  options: renderOptions,
  examples: [
    'atlantis-run render',
    'atlantis-run render --json | jq .service.template.containers[0].env',
    'atlantis-run render --dockerfile > Dockerfile   # the Dockerfile of an image.tools recipe',
  ],
  load: () => import('./commands/render.js'),
});

export const planOptions = [
  { flags: '--detailed-exitcode', description: 'exit 4 when there are changes (0 when none)' },
  READ_WAIT_TIMEOUT,
  BUILDER,
] as const satisfies readonly OptionDefinition[];

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'read-only: what deploy would create, update or delete, field by field',
  description:
    'Reads live state in Google Cloud and compares it with atlantis-run.yaml, phase by phase: APIs, the\n' +
    'repository, secrets and their versions, the runtime service account, IAM bindings, the image and the\n' +
    'Cloud Run service. Changes nothing. Also reports permissions the caller lacks for a deploy.',
  usesConfig: true,
  options: planOptions,
  examples: ['atlantis-run plan', 'atlantis-run plan --detailed-exitcode --json   # CI drift check: exit 4 on drift'],
  load: () => import('./commands/plan.js'),
});

export const deployOptions = [WAIT_TIMEOUT, BUILDER] as const satisfies readonly OptionDefinition[];

export const deployCommand = defineCommand({
  name: 'deploy',
  summary: 'converge every phase: APIs, registry, secrets, identity, image, service, domain',
  description:
    'Reads live state, shows the plan, asks for confirmation on a terminal (or takes -y), then applies only\n' +
    'what differs, independent phases concurrently, waiting for the new revision to be Ready. Idempotent: a\n' +
    'second run with nothing changed makes no change. Resumable: a run killed at any point is completed by\n' +
    'the next one. Ends with the service URL, the webhook URL and the next steps.',
  usesConfig: true,
  mutates: true,
  options: deployOptions,
  examples: [
    'atlantis-run deploy',
    'atlantis-run deploy --emulator          # against the bundled local emulator',
    'atlantis-run deploy -y --json           # in CI',
    'atlantis-run deploy --builder local     # image.strategy build: build with docker, podman or buildah here',
  ],
  load: () => import('./commands/deploy.js'),
});

export const statusOptions = [READ_WAIT_TIMEOUT] as const satisfies readonly OptionDefinition[];

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'live state: URL, ready revision, image, settings, secret versions, drift',
  description:
    'Reads the deployment in Google Cloud: URL and webhook URL, ready revision, image digest, instance\n' +
    'settings, secret versions in use against the newest, drift against atlantis-run.yaml (what deploy\n' +
    'would change) and against the lockfile (what changed since it was written). Changes nothing.',
  usesConfig: true,
  options: statusOptions,
  examples: ['atlantis-run status', 'atlantis-run status --json | jq .drift'],
  load: () => import('./commands/status.js'),
});

export const destroyOptions = [
  { flags: '--purge-secrets', description: 'also delete the secrets and every version' },
  { ...WAIT_TIMEOUT, description: 'how long to wait for deletions, e.g. 90s, 10m' },
] as const satisfies readonly OptionDefinition[];

export const destroyCommand = defineCommand({
  name: 'destroy',
  summary: 'remove what deploy created, in reverse order (secrets kept unless --purge-secrets)',
  description:
    'Deletes the domain mapping, the Cloud Run service, the IAM bindings of the runtime account, the\n' +
    'runtime service account and the Artifact Registry repository. Secrets (and their values) are kept\n' +
    'unless --purge-secrets. APIs stay enabled. Not found counts as deleted, so running it twice is fine.',
  usesConfig: true,
  mutates: true,
  options: destroyOptions,
  examples: ['atlantis-run destroy', 'atlantis-run destroy -y --purge-secrets'],
  load: () => import('./commands/destroy.js'),
});

export const secretsPushOptions = [
  { flags: '--from-file <path>', description: 'read the value from this file, or - for stdin (needs NAME)' },
  { flags: '--stage', description: 'only add the version; roll out later with deploy or secrets push --rollout-only' },
  { flags: '--rollout-only', description: "add nothing: pin each secret's newest enabled version in the live service" },
  KEEP,
  { ...WAIT_TIMEOUT, description: 'how long to wait for the new revision, e.g. 90s, 10m' },
] as const satisfies readonly OptionDefinition[];

export const secretsPushCommand = defineCommand({
  name: 'secrets push',
  summary: 'add secret versions for changed values, then roll them out',
  description:
    'NAME is a logical name (vcs-token, github-app-key, webhook-secret, web-password, repo-config, server-config) used by ' +
    'this configuration; it maps to the Secret Manager secret SERVICE-NAME. Without NAME, every secret whose configured ' +
    'source (secrets.NAME: {fromEnv} / {fromFile}, atlantis.repoConfig, atlantis.serverConfig) has a value now is pushed.\n\n' +
    'The value comes from --from-file PATH, --from-file - (stdin), the configured source, or a hidden prompt on a terminal; ' +
    'never from an argument (it would stay in shell history). It is validated for its kind, and a version is added only ' +
    'when it differs from the newest one (SHA-256); an unchanged value changes nothing.\n\n' +
    'Then, by default, the live Cloud Run service is pinned to the new version(s) - nothing else in it changes - and the ' +
    'new revision must become Ready. Afterwards, enabled versions beyond the newest --keep that no revision uses are ' +
    'disabled (not destroyed). --stage only adds the version: deploy or --rollout-only rolls it out later.',
  usesConfig: true,
  mutates: true,
  refuseValueArguments: true,
  argument: { name: 'name', description: 'logical secret name (default: every secret with a configured source)' },
  options: secretsPushOptions,
  examples: [
    'atlantis-run secrets push                                   # every secret whose source has a value',
    'atlantis-run secrets push vcs-token --from-file token.txt',
    'pass show atlantis/gh | atlantis-run secrets push vcs-token --from-file -',
    'atlantis-run secrets push github-app-key --from-file app.pem --stage',
    'atlantis-run secrets push --rollout-only --keep 3',
  ],
  load: () => import('./commands/secrets-push.js'),
});

export const secretsListOptions = [READ_WAIT_TIMEOUT] as const satisfies readonly OptionDefinition[];

export const secretsListCommand = defineCommand({
  name: 'secrets list',
  summary: 'secret names, versions in use and newest, checksums - never values',
  description:
    'For every secret this configuration uses: its Secret Manager id, the version the live service pins, the newest ' +
    'enabled version, whether a newer one is staged, when it was created, and a short SHA-256 checksum (from the lockfile, ' +
    'or computed here when you may read the payload). Changes nothing.',
  usesConfig: true,
  options: secretsListOptions,
  examples: ['atlantis-run secrets list', 'atlantis-run secrets list --json | jq ".secrets[] | {name, inUse, newest}"'],
  load: () => import('./commands/secrets-list.js'),
});

export const secretsRotateOptions = [
  { flags: '--show', description: 'print the new value (only to a terminal)' },
  { ...OUTPUT, description: 'write the new value to this file, mode 0600' },
  FORCE_OUTPUT,
  { ...KEEP, description: 'keep the newest N enabled versions (older ones no revision uses are disabled)' },
  { ...WAIT_TIMEOUT, description: 'how long to wait for the new revision, e.g. 90s, 10m' },
] as const satisfies readonly OptionDefinition[];

export const secretsRotateCommand = defineCommand({
  name: 'secrets rotate',
  summary: 'new random webhook-secret or web-password: push, roll out, say what to change on the VCS side',
  description:
    'Generates a new value for webhook-secret or web-password, adds it as a version, pins it in the live service and ' +
    'waits for the revision, disables old versions (--keep), then prints where to paste it (the webhook settings of your ' +
    'VCS, and the webhook URL). Webhooks are refused until the VCS side has the new secret, so it asks first (or -y). ' +
    'The new value is shown only with --show on a terminal, or written to --output FILE (mode 0600).',
  usesConfig: true,
  mutates: true,
  refuseValueArguments: true,
  argument: { name: 'name', description: 'webhook-secret or web-password', required: true },
  options: secretsRotateOptions,
  examples: ['atlantis-run secrets rotate webhook-secret --show', 'atlantis-run secrets rotate web-password -y --output ui-password.txt'],
  load: () => import('./commands/secrets-rotate.js'),
});

export const secretsShowOptions = [
  { ...OUTPUT, description: 'write the value to this file (mode 0600) instead of the terminal' },
  FORCE_OUTPUT,
  READ_WAIT_TIMEOUT,
] as const satisfies readonly OptionDefinition[];

export const secretsShowCommand = defineCommand({
  name: 'secrets show',
  summary: 'print the value in use of one secret, on a terminal or into a 0600 file',
  description:
    'Prints the value of the version the live service uses (the newest when not deployed yet), for pasting into the ' +
    'webhook form of your VCS. Only to a terminal: refused with --json or when stdout is a pipe or a file, unless ' +
    '--output FILE, which is written with mode 0600.',
  usesConfig: true,
  argument: { name: 'name', description: 'logical secret name, e.g. webhook-secret', required: true },
  options: secretsShowOptions,
  examples: ['atlantis-run secrets show webhook-secret', 'atlantis-run secrets show web-password --output ui-password.txt'],
  load: () => import('./commands/secrets-show.js'),
});

export const emulatorOptions = [
  { flags: '--port <n>', description: 'port on 127.0.0.1 (0 picks a free one)', default: '0' },
  { flags: '--latency <ms>', description: 'added to every call' },
  { flags: '--operation-delay <ms>', description: 'how long long-running operations stay running' },
  { flags: '--iam-propagation-delay <ms>', description: 'how long a new service account is unknown to IAM policies' },
  { flags: '--faults <spec>', description: 'METHOD=CODE:RATE[,…] with * wildcards, e.g. "*=UNAVAILABLE:0.2"' },
  { flags: '--seed <n>', description: 'makes --faults deterministic' },
  { flags: '--deny <permission>', description: 'a permission the caller lacks (repeatable or comma-separated)', repeatable: true },
  { flags: '--request-log <file>', description: 'append one JSON line per call' },
  { flags: '--state <file>', description: 'load state from and save it to this file' },
] as const satisfies readonly OptionDefinition[];

export const emulatorCommand = defineCommand({
  name: 'emulator',
  summary: 'run the bundled local Google Cloud emulator (gRPC and REST on one 127.0.0.1 port)',
  description:
    'Serves Cloud Run, Secret Manager, Artifact Registry, IAM, Resource Manager, Service Usage and Cloud\n' +
    'Build on 127.0.0.1 until Ctrl-C. The first line on stdout is `export ATLANTIS_RUN_EMULATOR_HOST=…`:\n' +
    'eval it and every atlantis-run command talks to the emulator. Every API starts disabled except\n' +
    'Service Usage and Resource Manager, like a new project.',
  options: emulatorOptions,
  examples: [
    'atlantis-run emulator --port 8085 --state emu.json > emulator.env &  sleep 2; . ./emulator.env',
    'atlantis-run emulator --latency 100 --request-log calls.jsonl',
  ],
  load: () => import('./commands/emulator.js'),
});

export const webhookTargetOptions = [
  { flags: '--repo <path>', description: 'GitHub/Gitea repository OWNER/NAME, or GitLab project GROUP/[SUBGROUP/]PROJECT' },
  { flags: '--org <org>', description: 'GitHub/Gitea organisation (an organisation webhook)' },
  { flags: '--group <path>', description: 'GitLab group path (a group webhook; GitLab Premium or Ultimate)' },
  {
    flags: '--token-env <var>',
    description: 'NAME of the environment variable holding an admin token of the VCS (never the token itself; never stored)',
    envName: true,
  },
  {
    flags: '--api-url <url>',
    description: 'VCS API base URL (default from the vcs settings: https://api.github.com, https://HOST/api/v3, …/api/v4, BASE/api/v1)',
  },
  { flags: '--url <url>', description: 'Atlantis webhook URL (default: the mapped domain or the deployed service, + /events)' },
  READ_WAIT_TIMEOUT,
] as const satisfies readonly OptionDefinition[];

const TOKENS =
  'The admin token is read from the environment variable --token-env names: GitHub a classic token with admin:repo_hook ' +
  '(admin:org_hook for --org) or a fine-grained one with "Webhooks: read and write"; GitLab a token with the api scope of a ' +
  'Maintainer (Owner for --group); Gitea a token with write:repository (write:organization for --org). It is never stored, ' +
  'printed or taken as an argument.';

export const webhookAddOptions = [
  ...webhookTargetOptions,
  { flags: '--if-changed', description: 'do not re-send the secret to a hook whose URL, events and settings already match' },
] as const satisfies readonly OptionDefinition[];

export const webhookAddCommand = defineCommand({
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
  options: webhookAddOptions,
  examples: [
    'GH_ADMIN_TOKEN=… atlantis-run webhook add --repo acme/infra --token-env GH_ADMIN_TOKEN',
    'atlantis-run webhook add --org acme --token-env GH_ADMIN_TOKEN',
    'atlantis-run webhook add --repo platform/terraform/live --token-env GITLAB_ADMIN_TOKEN   # GitLab project',
  ],
  load: () => import('./commands/webhook-add.js'),
});

export const webhookListCommand = defineCommand({
  name: 'webhook list',
  summary: 'the webhooks of a repository, organisation, project or group; the Atlantis one marked',
  description: 'Read-only. Marks with * the hooks that send to the Atlantis webhook URL. Secrets are never shown.\n\n' + TOKENS,
  usesConfig: true,
  options: webhookTargetOptions,
  examples: [
    'atlantis-run webhook list --repo acme/infra --token-env GH_ADMIN_TOKEN',
    'atlantis-run webhook list --group platform --token-env GITLAB_ADMIN_TOKEN --json',
  ],
  load: () => import('./commands/webhook-list.js'),
});

export const webhookRemoveCommand = defineCommand({
  name: 'webhook remove',
  summary: 'delete the Atlantis webhook (and only it) from a repository, organisation, project or group',
  description:
    'Deletes every hook of the target whose URL is the Atlantis webhook URL (normally one); other hooks stay. Asks first on a terminal; -y in scripts.\n\n' +
    TOKENS,
  usesConfig: true,
  options: webhookTargetOptions,
  examples: [
    'atlantis-run webhook remove --repo acme/infra --token-env GH_ADMIN_TOKEN',
    'atlantis-run webhook remove --org acme --token-env GH_ADMIN_TOKEN -y',
  ],
  load: () => import('./commands/webhook-remove.js'),
});

export const ciInitOptions = [
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
] as const satisfies readonly OptionDefinition[];

export const ciInitCommand = defineCommand({
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
  options: ciInitOptions,
  examples: [
    'atlantis-run ci init github',
    'atlantis-run ci init github --install git+https://github.com/acme/atlantis-run.git#v0.1.0',
    'atlantis-run ci init gitlab --workload-identity-provider projects/123/locations/global/workloadIdentityPools/gitlab/providers/atlantis-run \\\n' +
      '      --service-account atlantis-deployer@my-project.iam.gserviceaccount.com',
  ],
  load: () => import('./commands/ci-init.js'),
});

export const commands: CommandDefinition[] = [
  initCommand,
  renderCommand,
  planCommand,
  deployCommand,
  statusCommand,
  destroyCommand,
  secretsPushCommand,
  secretsListCommand,
  secretsRotateCommand,
  secretsShowCommand,
  webhookAddCommand,
  webhookListCommand,
  webhookRemoveCommand,
  ciInitCommand,
  emulatorCommand,
];
