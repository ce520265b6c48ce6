// Every command the CLI lists. Only metadata lives here; each handler module loads on use.
import { defineCommand, type CommandDefinition } from './command.js';

export const commands: CommandDefinition[] = [
  defineCommand({
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
    options: [
      { flags: '--non-interactive', description: 'never prompt: answers come from flags and defaults (automatic without a TTY, with CI or --json)' },
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
      { flags: '--repo-allowlist <patterns>', description: 'repositories Atlantis serves, e.g. github.com/acme/* (repeatable or comma-separated)', repeatable: true },
      { flags: '--persistence <mode>', description: 'where the data dir lives: memory (default)' },
      { flags: '--data-volume-size <size>', description: 'size of the in-memory data volume (default: 1Gi, half the memory)' },
      { flags: '--domain <host>', description: 'custom domain mapped to the service (optional)' },
      { flags: '--role <role>', description: 'project role for the runtime service account (repeatable or comma-separated)', repeatable: true },
      { flags: '--repo-config', description: 'also write a starter server-side repos.yaml beside the config' },
      { flags: '--token-env <var>', description: 'environment variable the VCS token will be read from (default: GITHUB_TOKEN, GITLAB_TOKEN…)' },
      { flags: '--token-file <path>', description: 'file the VCS token will be read from' },
      { flags: '--app-key-file <path>', description: 'GitHub App: file the private key (PEM) will be read from' },
      { flags: '--app-key-env <var>', description: 'GitHub App: environment variable the private key will be read from' },
      { flags: '--force', description: 'replace an existing atlantis-run.yaml (and repos.yaml)' },
    ],
    examples: [
      'atlantis-run init',
      'atlantis-run init --non-interactive --project my-project --region europe-west1 --vcs github --vcs-user atlantis-bot \\\n' +
        '      --repo-allowlist "github.com/acme/*" --token-env GITHUB_TOKEN',
    ],
    load: () => import('./commands/init.js'),
  }),
  defineCommand({
    name: 'render',
    summary: 'print every resource as it would be sent to Google Cloud, offline',
    description:
      'Builds the desired state from atlantis-run.yaml without calling Google Cloud: APIs, the Artifact Registry\n' +
      'repository, secrets (names only), the runtime service account and its bindings, and the Cloud Run v2\n' +
      'Service. What only the cloud knows (project number, secret versions) comes from the lockfile, or is\n' +
      'shown as a <placeholder>.',
    usesConfig: true,
    examples: ['atlantis-run render', 'atlantis-run render --json | jq .service.template.containers[0].env'],
    load: () => import('./commands/render.js'),
  }),
  defineCommand({
    name: 'plan',
    summary: 'read-only: what deploy would create, update or delete, field by field',
    description:
      'Reads live state in Google Cloud and compares it with atlantis-run.yaml, phase by phase: APIs, the\n' +
      'repository, secrets and their versions, the runtime service account, IAM bindings, the image and the\n' +
      'Cloud Run service. Changes nothing. Also reports permissions the caller lacks for a deploy.',
    usesConfig: true,
    options: [
      { flags: '--detailed-exitcode', description: 'exit 4 when there are changes (0 when none)' },
      { flags: '--wait-timeout <duration>', description: 'bound on waiting for Google Cloud (default 10m)', hidden: true },
    ],
    examples: ['atlantis-run plan', 'atlantis-run plan --detailed-exitcode --json   # CI drift check: exit 4 on drift'],
    load: () => import('./commands/plan.js'),
  }),
  defineCommand({
    name: 'deploy',
    summary: 'converge every phase: APIs, registry, secrets, identity, image, service, domain',
    description:
      'Reads live state, shows the plan, asks for confirmation on a terminal (or takes -y), then applies only\n' +
      'what differs, independent phases concurrently, waiting for the new revision to be Ready. Idempotent: a\n' +
      'second run with nothing changed makes no change. Resumable: a run killed at any point is completed by\n' +
      'the next one. Ends with the service URL, the webhook URL and the next steps.',
    usesConfig: true,
    mutates: true,
    options: [{ flags: '--wait-timeout <duration>', description: 'how long to wait for long-running operations, e.g. 90s, 10m', default: '10m' }],
    examples: ['atlantis-run deploy', 'atlantis-run deploy --emulator          # against the bundled local emulator', 'atlantis-run deploy -y --json           # in CI'],
    load: () => import('./commands/deploy.js'),
  }),
  defineCommand({
    name: 'status',
    summary: 'live state: URL, ready revision, image, settings, secret versions, drift',
    description:
      'Reads the deployment in Google Cloud: URL and webhook URL, ready revision, image digest, instance\n' +
      'settings, secret versions in use against the newest, drift against atlantis-run.yaml (what deploy\n' +
      'would change) and against the lockfile (what changed since it was written). Changes nothing.',
    usesConfig: true,
    options: [{ flags: '--wait-timeout <duration>', description: 'bound on waiting for Google Cloud', hidden: true }],
    examples: ['atlantis-run status', 'atlantis-run status --json | jq .drift'],
    load: () => import('./commands/status.js'),
  }),
  defineCommand({
    name: 'destroy',
    summary: 'remove what deploy created, in reverse order (secrets kept unless --purge-secrets)',
    description:
      'Deletes the domain mapping, the Cloud Run service, the IAM bindings of the runtime account, the\n' +
      'runtime service account and the Artifact Registry repository. Secrets (and their values) are kept\n' +
      'unless --purge-secrets. APIs stay enabled. Not found counts as deleted, so running it twice is fine.',
    usesConfig: true,
    mutates: true,
    options: [
      { flags: '--purge-secrets', description: 'also delete the secrets and every version' },
      { flags: '--wait-timeout <duration>', description: 'how long to wait for deletions', default: '10m' },
    ],
    examples: ['atlantis-run destroy', 'atlantis-run destroy -y --purge-secrets'],
    load: () => import('./commands/destroy.js'),
  }),
  defineCommand({
    name: 'emulator',
    summary: 'run the bundled local Google Cloud emulator (gRPC and REST on one 127.0.0.1 port)',
    description:
      'Serves Cloud Run, Secret Manager, Artifact Registry, IAM, Resource Manager, Service Usage and Cloud\n' +
      'Build on 127.0.0.1 until Ctrl-C. The first line on stdout is `export ATLANTIS_RUN_EMULATOR_HOST=…`:\n' +
      'eval it and every atlantis-run command talks to the emulator. Every API starts disabled except\n' +
      'Service Usage and Resource Manager, like a new project.',
    options: [
      { flags: '--port <n>', description: 'port on 127.0.0.1 (0 picks a free one)', default: '0' },
      { flags: '--latency <ms>', description: 'added to every call' },
      { flags: '--operation-delay <ms>', description: 'how long long-running operations stay running' },
      { flags: '--iam-propagation-delay <ms>', description: 'how long a new service account is unknown to IAM policies' },
      { flags: '--faults <spec>', description: 'METHOD=CODE:RATE[,…] with * wildcards, e.g. "*=UNAVAILABLE:0.2"' },
      { flags: '--seed <n>', description: 'makes --faults deterministic' },
      { flags: '--deny <permission>', description: 'a permission the caller lacks (repeatable or comma-separated)', repeatable: true },
      { flags: '--request-log <file>', description: 'append one JSON line per call' },
      { flags: '--state <file>', description: 'load state from and save it to this file' },
    ],
    examples: [
      'atlantis-run emulator --port 8085 --state emu.json > emulator.env &  sleep 2; . ./emulator.env',
      'atlantis-run emulator --latency 100 --request-log calls.jsonl',
    ],
    load: () => import('./commands/emulator.js'),
  }),
];
