// Every command the CLI lists. Only metadata lives here; each handler module loads on use, its
// options typed from the option list here (`Handler<typeof deployOptions>`).
import { defineCommand, type CommandDefinition, type GlobalFlag, type OptionDefinition } from './command.js';
import { BUILDER, FORCE_OUTPUT, KEEP, OUTPUT, READ_WAIT_TIMEOUT, WAIT_TIMEOUT } from './options.js';

// The global flags each kind of command honours (shown under "Global options" in its help).
const OFFLINE: readonly GlobalFlag[] = ['--config', '--lockfile', '--project', '--region', '--json', '--verbose'];
const ONLINE: readonly GlobalFlag[] = [...OFFLINE, '--emulator', '--impersonate-service-account'];
const CONFIRMING: readonly GlobalFlag[] = [...ONLINE, '--yes'];

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
  {
    flags: '--persistence <choice>',
    description: 'where plans and locks live: gcs (recommended), gcs-redis, gcs-external-redis, filestore-redis or memory',
  },
  { flags: '--data-volume-size <size>', description: 'size of the in-memory data volume (default: 1Gi, half the memory)' },
  { flags: '--redis-host <host>', description: 'gcs-external-redis: host name or IP of your Redis' },
  { flags: '--redis-port <port>', description: 'gcs-external-redis: its port (default 6379)' },
  { flags: '--redis-tls', description: 'gcs-external-redis: it takes TLS connections' },
  {
    flags: '--redis-password-env <var>',
    description: 'gcs-external-redis: environment variable its password will be read from',
    envName: true,
  },
  { flags: '--redis-password-file <path>', description: 'gcs-external-redis: file its password will be read from' },
  { flags: '--network <name>', description: 'Redis/Filestore: VPC network to use (default: one named like the service, created)' },
  { flags: '--subnet <name>', description: 'Redis/Filestore: subnet of that network in the region (default: named like the network)' },
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
  globals: ONLINE,
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
  globals: OFFLINE,
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
  globals: ONLINE,
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

export const deployOptions = [
  WAIT_TIMEOUT,
  BUILDER,
  {
    flags: '--accept-risk <id>',
    description: 'accept a risky setting the plan warns about: open-ui, broad-role, any-repo, secret-switch (repeatable)',
    repeatable: true,
  },
] as const satisfies readonly OptionDefinition[];

export const deployCommand = defineCommand({
  name: 'deploy',
  globals: CONFIRMING,
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
    'atlantis-run deploy -y --accept-risk any-repo   # a plan warning, accepted on purpose',
    'atlantis-run deploy --builder local     # image.strategy build: build with docker, podman or buildah here',
  ],
  load: () => import('./commands/deploy.js'),
});

export const statusOptions = [READ_WAIT_TIMEOUT] as const satisfies readonly OptionDefinition[];

export const statusCommand = defineCommand({
  name: 'status',
  globals: ONLINE,
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
  { flags: '--purge-data', description: 'also delete the plans bucket and the plans in it' },
  { ...WAIT_TIMEOUT, description: 'how long to wait for deletions, e.g. 90s, 10m' },
] as const satisfies readonly OptionDefinition[];

export const destroyCommand = defineCommand({
  name: 'destroy',
  globals: CONFIRMING,
  summary: 'remove what deploy created, in reverse order (secrets kept unless --purge-secrets)',
  description:
    'Deletes the domain mapping, the Cloud Run service, the IAM bindings of the runtime account, the\n' +
    'runtime service account and the Artifact Registry repository, and the Memorystore instance, the\n' +
    'Filestore instance and a VPC network it created. Secrets (and their values) are kept unless\n' +
    '--purge-secrets; the plans bucket (and the plans in it) unless --purge-data. APIs stay enabled.\n' +
    'Not found counts as deleted, so running it twice is fine.',
  usesConfig: true,
  mutates: true,
  options: destroyOptions,
  examples: ['atlantis-run destroy', 'atlantis-run destroy -y --purge-secrets --purge-data'],
  load: () => import('./commands/destroy.js'),
});

export const costOptions = [
  { flags: '--no-free-tier', description: 'the billing account already uses the free tiers (another Cloud Run service…)' },
  { flags: '--live', description: 'read prices from the Cloud Billing Catalog API instead of the bundled, dated table' },
  { flags: '--compare', description: 'also price the persistence alternatives side by side (and a GKE Autopilot cluster fee)' },
  { flags: '--month <730h|30d>', description: "hours in a month: 730h (default, Google's convention) or 30d (720 h)", default: '730h' },
] as const satisfies readonly OptionDefinition[];

export const costCommand = defineCommand({
  name: 'cost',
  summary: 'the monthly cost of this configuration, itemised, with its assumptions and the date of its prices',
  description:
    "Prices one Atlantis always on (instance-based billing: vCPU and memory at the region's tier), its persistence " +
    '(plans bucket, Memorystore, Filestore), Secret Manager versions beyond the free ones, Artifact Registry storage ' +
    'and Cloud Build minutes, from a bundled price table whose every figure names its source and date — or, with --live, ' +
    'from the Cloud Billing Catalog API. The free tiers are applied once per billing account (--no-free-tier when ' +
    'something else already uses them); tax, network egress and logging are excluded. --compare adds memory only, plans ' +
    "on Cloud Storage, + Redis, Filestore + Redis and a GKE Autopilot cluster fee, at today's and 2022's prices.",
  usesConfig: true,
  options: costOptions,
  examples: ['atlantis-run cost', 'atlantis-run cost --compare', 'atlantis-run cost --live --no-free-tier --json | jq .monthlyTotalUsd'],
  load: () => import('./commands/cost.js'),
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
  globals: ONLINE,
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
  argument: { name: 'name', description: 'logical secret name (default: every secret with a configured source)', secretName: true },
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
  globals: ONLINE,
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

/** Which hook, with which token, at which URL: `webhook add|list|remove` and `secrets rotate --update-webhooks`. */
export const webhookHookOptions = [
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
] as const satisfies readonly OptionDefinition[];

export const secretsRotateOptions = [
  { flags: '--show', description: 'print the new value (only to a terminal)' },
  { ...OUTPUT, description: 'write the new value to this file, mode 0600' },
  FORCE_OUTPUT,
  { ...KEEP, description: 'keep the newest N enabled versions (older ones no revision uses are disabled)' },
  { ...WAIT_TIMEOUT, description: 'how long to wait for the new revision, e.g. 90s, 10m' },
  {
    flags: '--update-webhooks',
    description:
      'webhook-secret: after the rollout, send the new secret to the webhook (--repo/--org/--group, --token-env) in the same step',
  },
  ...webhookHookOptions,
] as const satisfies readonly OptionDefinition[];

export const secretsRotateCommand = defineCommand({
  name: 'secrets rotate',
  globals: CONFIRMING,
  summary: 'new random webhook-secret or web-password: push, roll out, say what to change on the VCS side',
  description:
    'Generates a new value for webhook-secret or web-password, adds it as a version, pins it in the live service and ' +
    'waits for the revision, disables old versions (--keep), then prints where to paste it (the webhook settings of your ' +
    'VCS, and the webhook URL). Webhooks are refused until the VCS side has the new secret, so it asks first (or -y). ' +
    'The new value is shown only with --show on a terminal, or written to --output FILE (mode 0600).\n\n' +
    'With --update-webhooks (webhook-secret on GitHub, GitLab or Gitea), both sides change in one step: the hook target and ' +
    'admin token (the same --repo/--org/--group, --token-env and --api-url as `webhook add`) are checked before anything ' +
    'changes, and right after the rollout the Atlantis webhook is updated (or created) with the new secret; nothing is left ' +
    'to paste by hand and the value need not be shown.',
  usesConfig: true,
  mutates: true,
  refuseValueArguments: true,
  argument: { name: 'name', description: 'webhook-secret or web-password', required: true, secretName: true },
  options: secretsRotateOptions,
  examples: [
    'atlantis-run secrets rotate webhook-secret --show',
    'atlantis-run secrets rotate webhook-secret -y --update-webhooks --repo acme/infra --token-env GH_ADMIN_TOKEN',
    'atlantis-run secrets rotate web-password -y --output ui-password.txt',
  ],
  load: () => import('./commands/secrets-rotate.js'),
});

export const secretsShowOptions = [
  { ...OUTPUT, description: 'write the value to this file (mode 0600) instead of the terminal' },
  FORCE_OUTPUT,
  READ_WAIT_TIMEOUT,
] as const satisfies readonly OptionDefinition[];

export const secretsShowCommand = defineCommand({
  name: 'secrets show',
  globals: ONLINE,
  summary: 'print the value in use of one secret, on a terminal or into a 0600 file',
  description:
    'Prints the value of the version the live service uses (the newest when not deployed yet), for pasting into the ' +
    'webhook form of your VCS. Only to a terminal: refused with --json or when stdout is a pipe or a file, unless ' +
    '--output FILE, which is written with mode 0600.',
  usesConfig: true,
  argument: { name: 'name', description: 'logical secret name, e.g. webhook-secret', required: true, secretName: true },
  options: secretsShowOptions,
  examples: ['atlantis-run secrets show webhook-secret', 'atlantis-run secrets show web-password --output ui-password.txt'],
  load: () => import('./commands/secrets-show.js'),
});

export const emulatorOptions = [
  { flags: '--port <n>', description: 'port on 127.0.0.1 (0 picks a free one)', default: '0' },
  { flags: '--latency <ms>', description: 'added to every call' },
  { flags: '--operation-delay <ms>', description: 'how long long-running operations stay running' },
  { flags: '--iam-propagation-delay <ms>', description: 'how long a new service account is unknown to IAM policies' },
  {
    flags: '--faults <spec>',
    description:
      'METHOD=[after:]CODE:RATE[,…] with * wildcards, e.g. "*=UNAVAILABLE:0.2"; after: loses the reply of a call carried out; RESET drops the connection',
  },
  { flags: '--seed <n>', description: 'makes --faults deterministic' },
  { flags: '--deny <permission>', description: 'a permission the caller lacks (repeatable or comma-separated)', repeatable: true },
  { flags: '--request-log <file>', description: 'append one JSON line per call' },
  { flags: '--state <file>', description: 'load state from and save it to this file' },
] as const satisfies readonly OptionDefinition[];

export const emulatorCommand = defineCommand({
  name: 'emulator',
  globals: ['--json', '--verbose'],
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

export const webhookTargetOptions = [...webhookHookOptions, READ_WAIT_TIMEOUT] as const satisfies readonly OptionDefinition[];

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
  globals: ONLINE,
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
  globals: ONLINE,
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
  globals: CONFIRMING,
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
  globals: ['--config', '--project', '--region', '--json', '--verbose'],
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
    'atlantis-run ci init gitlab --workload-identity-provider projects/123456789012/locations/global/workloadIdentityPools/atlantis-ci/providers/gitlab \\\n' +
      '      --service-account atlantis-deployer@my-project.iam.gserviceaccount.com',
  ],
  load: () => import('./commands/ci-init.js'),
});

export const ciSetupOptions = [
  {
    flags: '--repo <path>',
    description: 'the one repository whose pipelines may deploy: GitHub OWNER/NAME, GitLab the project path GROUP/[SUBGROUP/]PROJECT',
  },
  { flags: '--audience <url>', description: 'GitLab: aud of the job ID token (default https://gitlab.com or https://HOST, as ci init)' },
  WAIT_TIMEOUT,
] as const satisfies readonly OptionDefinition[];

export const ciSetupCommand = defineCommand({
  name: 'ci setup',
  summary: 'one-time keyless CI access: identity pool, OIDC provider for one repository, a least-privilege deployer',
  description:
    'Creates (or brings back in line) a workload identity pool (SERVICE-ci) with an OIDC provider for the CI system whose ' +
    'attribute condition admits only the pipelines of --repo; a deployer service account (SERVICE-deployer) that only those ' +
    'pipelines may act as (roles/iam.workloadIdentityUser for the principal set of that repository); a custom role whose ' +
    'permissions are exactly those the enabled phases of atlantis-run.yaml declare, bound on the project to the deployer; ' +
    'and roles/iam.serviceAccountUser for the deployer on the runtime service account only (created here if missing). ' +
    'Enables the IAM, Security Token Service and IAM Credentials APIs.\n\n' +
    'Shows the plan and asks first on a terminal; -y in scripts. Idempotent: run it again after changing the configuration ' +
    '(project roles, persistence, a build) and the role follows. Soft-deleted pools, providers and roles from an earlier ' +
    '`ci teardown` are undeleted. Prints what the pipeline needs: for GitHub the repository variables ' +
    'ATLANTIS_RUN_WORKLOAD_IDENTITY_PROVIDER and ATLANTIS_RUN_SERVICE_ACCOUNT that `ci init github` reads; for GitLab the ' +
    'provider, the account and the audience for `ci init gitlab`. `destroy` leaves all of it alone; `ci teardown` removes it.',
  usesConfig: true,
  mutates: true,
  argument: { name: 'system', description: 'github or gitlab', required: true },
  options: ciSetupOptions,
  examples: ['atlantis-run ci setup github --repo acme/infra', 'atlantis-run ci setup gitlab --repo platform/terraform/live -y --json'],
  load: () => import('./commands/ci-setup.js'),
});

export const ciTeardownOptions = [
  { ...WAIT_TIMEOUT, description: 'how long to wait for deletions, e.g. 90s, 10m' },
] as const satisfies readonly OptionDefinition[];

export const ciTeardownCommand = defineCommand({
  name: 'ci teardown',
  summary: 'remove what ci setup created: grants, deployer role and account, providers, pool',
  description:
    "Removes the deployer's grants (its role binding on the project, roles/iam.serviceAccountUser on the runtime account), the " +
    'custom role, the deployer service account, the GitHub and GitLab providers and the pool. The deployment itself ' +
    '(service, runtime account, secrets) stays. Pools, providers and roles are soft-deleted by Google: a later `ci setup` ' +
    'undeletes them. Asks first on a terminal; -y in scripts. Not found counts as removed, so running it twice is fine.',
  usesConfig: true,
  mutates: true,
  options: ciTeardownOptions,
  examples: ['atlantis-run ci teardown', 'atlantis-run ci teardown -y --json'],
  load: () => import('./commands/ci-teardown.js'),
});

export const logsOptions = [
  { flags: '--since <when>', description: 'from how long ago (30m, 1h, 2d, 1w) or from when (2026-08-20T10:00:00Z)', default: '1h' },
  { flags: '--revision <name>', description: 'only this revision (e.g. the one a failed deploy named)' },
  {
    flags: '--severity <level>',
    description: 'this severity and above: DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL… (Atlantis levels too)',
  },
  { flags: '-f, --follow', description: 'keep printing new entries until Ctrl-C' },
  { flags: '--limit <n>', description: 'at most the newest N entries first shown', default: '100' },
  {
    flags: '--interval <duration>',
    description: 'how often --follow asks Cloud Logging (it allows 60 reads a minute per project)',
    default: '5s',
  },
] as const satisfies readonly OptionDefinition[];

export const logsCommand = defineCommand({
  name: 'logs',
  summary: "Atlantis's log lines and Cloud Run's events for the service, from Cloud Logging",
  description:
    'Reads Cloud Logging: what Atlantis printed (stdout and stderr of every revision) and what Cloud Run says about the ' +
    'service (revisions created, ready, or failed with their reason; instances starting). One line per entry: time, ' +
    "severity, revision, then Atlantis's message with its fields and the code location. Changes nothing.\n\n" +
    "--severity shows that severity and above; Atlantis's JSON lines carry their level in the payload (Cloud Run lifts only " +
    'a `severity` field), and both are matched. --follow polls for new entries (looking back a few seconds each time, as ' +
    'entries reach Cloud Logging late) until Ctrl-C. --json prints the entries as Cloud Logging returns them.',
  usesConfig: true,
  options: logsOptions,
  examples: [
    'atlantis-run logs',
    'atlantis-run logs --since 2d --severity warning',
    'atlantis-run logs --revision atlantis-00007-xyz     # why did this revision fail?',
    'atlantis-run logs -f',
    'atlantis-run logs --json | jq -r ".entries[].jsonPayload.msg // empty"',
  ],
  load: () => import('./commands/logs.js'),
});

export const upgradeOptions = [
  { flags: '--list', description: 'only list the newer versions' },
  { flags: '--to <version>', description: 'the version to move to (default: the newest stable one)' },
  { flags: '--pre', description: 'list pre-releases too' },
  { flags: '--edit-only', description: 'only write atlantis.version and show the plan; deploy later' },
  WAIT_TIMEOUT,
] as const satisfies readonly OptionDefinition[];

export const upgradeCommand = defineCommand({
  name: 'upgrade',
  summary: 'newer Atlantis versions, and the move to one: atlantis-run.yaml edited, plan, deploy',
  description:
    'Lists the tags of ghcr.io/runatlantis/atlantis newer than the version running, through the Artifact Registry ' +
    'remote repository (newest first, each with its release notes; pre-releases with --pre). Then, for --to VERSION or ' +
    'the newest stable version: sets atlantis.version in atlantis-run.yaml (comments and layout kept), shows the plan ' +
    '(image: v0.47.1 → v0.48.0) and deploys it on confirmation (-y in scripts). A "no" leaves the file as it was. ' +
    'Atlantis restarts: what that loses under your persistence setting is said first.',
  usesConfig: true,
  mutates: true,
  options: upgradeOptions,
  examples: [
    'atlantis-run upgrade --list',
    'atlantis-run upgrade                      # to the newest stable version, after confirmation',
    'atlantis-run upgrade --to v0.48.0 -y',
    'atlantis-run upgrade --to v0.48.0 --edit-only   # commit the file; CI deploys it',
  ],
  load: () => import('./commands/upgrade.js'),
});

export const rollbackOptions = [
  { flags: '--to <revision>', description: 'the revision to send traffic to (default: the previous ready one)' },
  { flags: '--list', description: 'only list the revisions: ready or not, version, traffic' },
  WAIT_TIMEOUT,
] as const satisfies readonly OptionDefinition[];

export const rollbackCommand = defineCommand({
  name: 'rollback',
  summary: 'all traffic back to the previous ready revision (or --to REVISION); deploy undoes it',
  description:
    'Sends 100% of the traffic to the newest ready revision older than the one serving, or to --to REVISION, without ' +
    'creating a revision. The secret versions that revision reads are kept enabled (a disabled one is enabled again). ' +
    'Asks first on a terminal (-y in scripts): Atlantis restarts. Afterwards `status` shows the traffic pinned, and the ' +
    'next `deploy` sends it back to the latest revision, saying so.',
  usesConfig: true,
  mutates: true,
  options: rollbackOptions,
  examples: ['atlantis-run rollback --list', 'atlantis-run rollback', 'atlantis-run rollback --to atlantis-00004-abc -y'],
  load: () => import('./commands/rollback.js'),
});

export const commands: CommandDefinition[] = [
  initCommand,
  renderCommand,
  planCommand,
  deployCommand,
  statusCommand,
  destroyCommand,
  costCommand,
  secretsPushCommand,
  secretsListCommand,
  secretsRotateCommand,
  secretsShowCommand,
  webhookAddCommand,
  webhookListCommand,
  webhookRemoveCommand,
  ciInitCommand,
  ciSetupCommand,
  ciTeardownCommand,
  logsCommand,
  upgradeCommand,
  rollbackCommand,
  emulatorCommand,
];
