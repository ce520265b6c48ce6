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
];
