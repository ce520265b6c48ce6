// The same init answers, twice: as flags for --non-interactive, and as keystrokes for the wizard on
// a pseudo-terminal. init-interactive.test.ts checks that both give byte-identical files.
import { KEY, type PtyStep } from './pty.js';

export interface InitCase {
  name: string;
  flags: string[];
  steps: PtyStep[];
  /** What parseConfig must find in the written file. */
  expected: {
    vcs: Record<string, unknown>;
    secrets: Record<string, unknown>;
    service?: string;
    region: string;
    repoAllowlist: string[];
    roles?: string[];
    domain?: string;
    sizeLimit?: string;
    repoConfig?: boolean;
    /** The persistence choice (default: gcs, what init recommends from Atlantis v0.47.0 on). */
    persistence?: 'memory' | 'gcs' | 'gcs-redis';
  };
}

const PROVIDER_INDEX = { github: 0, 'github-app': 1, gitlab: 2, bitbucket: 3, azuredevops: 4, gitea: 5 } as const;
const pick = (provider: keyof typeof PROVIDER_INDEX) => [...Array<string>(PROVIDER_INDEX[provider]).fill(KEY.down), KEY.enter];
const type = (text: string) => [text, KEY.enter];

/** Project, region, service, version: the first four questions. */
function start(region: string, service?: string, version?: string): PtyStep[] {
  return [
    { expect: 'Google Cloud project id', send: type('acme-infra') },
    // The region list jumps to what is typed.
    { expect: 'Cloud Run region', send: type(region) },
    { expect: 'Cloud Run service name', send: service ? type(service) : KEY.enter },
    { expect: 'Atlantis version', send: version ? type(version) : KEY.enter },
  ];
}

/** Allowlist, persistence, size, domain, roles (checkbox + others), repos.yaml. */
function finish(o: {
  allowlist: string;
  /** Keys pressed on the persistence list (default: enter, the recommended choice). */
  persistence?: string[];
  size?: string;
  domain?: string;
  checkbox?: string[];
  otherRoles?: string;
  repoConfig?: boolean;
}): PtyStep[] {
  return [
    { expect: 'Repositories Atlantis may serve', send: type(o.allowlist) },
    { expect: 'Where does Atlantis keep plans and locks', send: o.persistence ?? KEY.enter },
    { expect: 'Size of the in-memory data volume', send: o.size ? [KEY.ctrlU, ...type(o.size)] : KEY.enter },
    { expect: 'Custom domain', send: o.domain ? type(o.domain) : KEY.enter },
    { expect: 'Project roles for the runtime service account', send: [...(o.checkbox ?? []), KEY.enter] },
    { expect: 'Other project roles', send: o.otherRoles ? type(o.otherRoles) : KEY.enter },
    { expect: 'Write a starter server-side repos.yaml', send: o.repoConfig ? ['y', KEY.enter] : KEY.enter },
  ];
}

const COMMON = ['--project', 'acme-infra'];

export const INIT_CASES: InitCase[] = [
  {
    name: 'github (github.com, token from the default variable, roles, repos.yaml)',
    flags: [
      ...COMMON,
      '--region',
      'europe-west1',
      '--vcs',
      'github',
      '--vcs-user',
      'atlantis-bot',
      '--repo-allowlist',
      'github.com/acme/*',
      '--role',
      'roles/viewer',
      '--role',
      'roles/storage.objectAdmin,roles/cloudsql.admin',
      '--repo-config',
    ],
    steps: [
      ...start('europe-west1'),
      { expect: 'Which VCS does Atlantis serve', send: pick('github') },
      { expect: 'GitHub user Atlantis acts as', send: type('atlantis-bot') },
      { expect: 'GitHub Enterprise host name', send: KEY.enter },
      { expect: 'Where will atlantis-run read the GitHub access token', send: KEY.enter },
      { expect: 'Environment variable that will hold', send: KEY.enter },
      // roles/viewer (first) and roles/storage.objectAdmin (third) in the checkbox, one more typed.
      ...finish({
        allowlist: 'github.com/acme/*',
        checkbox: [KEY.space, KEY.down, KEY.down, KEY.space],
        otherRoles: 'roles/cloudsql.admin',
        repoConfig: true,
      }),
    ],
    expected: {
      vcs: { provider: 'github', user: 'atlantis-bot' },
      secrets: { 'vcs-token': { fromEnv: 'GITHUB_TOKEN' } },
      region: 'europe-west1',
      repoAllowlist: ['github.com/acme/*'],
      roles: ['roles/viewer', 'roles/storage.objectAdmin', 'roles/cloudsql.admin'],
      repoConfig: true,
    },
  },
  {
    name: 'github enterprise (hostname, token file, service, version, size, domain)',
    flags: [
      ...COMMON,
      '--region',
      'us-east4',
      '--service',
      'atlantis-ghe',
      '--atlantis-version',
      'v0.35.0',
      '--vcs',
      'github',
      '--vcs-user',
      'atlantis-bot',
      '--vcs-hostname',
      'GitHub.Acme.Com',
      '--token-file',
      'secrets/gh-token',
      '--repo-allowlist',
      'github.acme.com/platform/*,github.acme.com/data/*',
      '--data-volume-size',
      '1536Mi',
      '--domain',
      'atlantis.acme.com',
    ],
    steps: [
      ...start('us-east4', 'atlantis-ghe', 'v0.35.0'),
      { expect: 'Which VCS does Atlantis serve', send: pick('github') },
      { expect: 'GitHub user Atlantis acts as', send: type('atlantis-bot') },
      { expect: 'GitHub Enterprise host name', send: type('GitHub.Acme.Com') },
      { expect: 'Where will atlantis-run read the GitHub access token', send: [KEY.down, KEY.enter] },
      { expect: 'File that will hold the GitHub access token', send: type('secrets/gh-token') },
      ...finish({ allowlist: 'github.acme.com/platform/*, github.acme.com/data/*', size: '1536Mi', domain: 'atlantis.acme.com' }),
    ],
    expected: {
      vcs: { provider: 'github', user: 'atlantis-bot', hostname: 'github.acme.com' },
      secrets: { 'vcs-token': { fromFile: 'secrets/gh-token' } },
      service: 'atlantis-ghe',
      region: 'us-east4',
      repoAllowlist: ['github.acme.com/platform/*', 'github.acme.com/data/*'],
      domain: 'atlantis.acme.com',
      sizeLimit: '1536Mi',
      // v0.35.0 has no --share-plan-dir: memory is the recommendation.
      persistence: 'memory',
    },
  },
  {
    name: 'github-app (app id, slug, installation id, private key file)',
    flags: [
      ...COMMON,
      '--region',
      'us-central1',
      '--vcs',
      'github-app',
      '--gh-app-id',
      '123456',
      '--gh-app-slug',
      'acme-atlantis',
      '--gh-app-installation-id',
      '987654',
      '--app-key-file',
      'keys/atlantis-app.pem',
      '--repo-allowlist',
      'github.com/acme/*',
    ],
    steps: [
      ...start('us-central1'),
      { expect: 'Which VCS does Atlantis serve', send: pick('github-app') },
      { expect: 'GitHub App id', send: type('123456') },
      { expect: 'GitHub App slug', send: type('acme-atlantis') },
      { expect: 'GitHub App installation id', send: type('987654') },
      { expect: 'GitHub Enterprise host name', send: KEY.enter },
      { expect: 'Where will atlantis-run read the GitHub App private key', send: KEY.enter },
      { expect: 'File that will hold the GitHub App private key', send: type('keys/atlantis-app.pem') },
      ...finish({ allowlist: 'github.com/acme/*' }),
    ],
    expected: {
      vcs: { provider: 'github-app', appId: 123456, slug: 'acme-atlantis', installationId: 987654 },
      secrets: { 'github-app-key': { fromFile: 'keys/atlantis-app.pem' } },
      region: 'us-central1',
      repoAllowlist: ['github.com/acme/*'],
    },
  },
  {
    name: 'gitlab self-managed (hostname, token variable)',
    flags: [
      ...COMMON,
      '--region',
      'europe-west4',
      '--vcs',
      'gitlab',
      '--vcs-user',
      'atlantis',
      '--vcs-hostname',
      'gitlab.acme.com',
      '--token-env',
      'GL_ATLANTIS_TOKEN',
      '--repo-allowlist',
      'gitlab.acme.com/infra/*',
      '--persistence',
      'gcs-redis',
      '--role',
      'roles/editor',
    ],
    steps: [
      ...start('europe-west4'),
      { expect: 'Which VCS does Atlantis serve', send: pick('gitlab') },
      { expect: 'GitLab user Atlantis acts as', send: type('atlantis') },
      { expect: 'Self-managed GitLab host name', send: type('gitlab.acme.com') },
      { expect: 'Where will atlantis-run read the GitLab access token', send: KEY.enter },
      // The default (GITLAB_TOKEN) is filled in: clear it first.
      { expect: 'Environment variable that will hold', send: [KEY.ctrlU, ...type('GL_ATLANTIS_TOKEN')] },
      // The second persistence choice: plans on Cloud Storage + Memorystore.
      ...finish({ allowlist: 'gitlab.acme.com/infra/*', persistence: [KEY.down, KEY.enter], checkbox: [KEY.down, KEY.space] }),
    ],
    expected: {
      vcs: { provider: 'gitlab', user: 'atlantis', hostname: 'gitlab.acme.com' },
      secrets: { 'vcs-token': { fromEnv: 'GL_ATLANTIS_TOKEN' } },
      region: 'europe-west4',
      repoAllowlist: ['gitlab.acme.com/infra/*'],
      roles: ['roles/editor'],
      persistence: 'gcs-redis',
    },
  },
  {
    name: 'bitbucket cloud (API user)',
    flags: [
      ...COMMON,
      '--region',
      'europe-west1',
      '--vcs',
      'bitbucket',
      '--vcs-user',
      'atlantis-acme',
      '--vcs-api-user',
      'atlantis@acme.com',
      '--repo-allowlist',
      'bitbucket.org/acme/*',
    ],
    steps: [
      ...start('europe-west1'),
      { expect: 'Which VCS does Atlantis serve', send: pick('bitbucket') },
      { expect: 'Bitbucket Cloud or Bitbucket Server', send: KEY.enter },
      { expect: 'Bitbucket user Atlantis acts as', send: type('atlantis-acme') },
      { expect: 'Bitbucket API user', send: type('atlantis@acme.com') },
      { expect: 'Where will atlantis-run read the Bitbucket access token', send: KEY.enter },
      { expect: 'Environment variable that will hold', send: KEY.enter },
      ...finish({ allowlist: 'bitbucket.org/acme/*' }),
    ],
    expected: {
      vcs: { provider: 'bitbucket', user: 'atlantis-acme', apiUser: 'atlantis@acme.com' },
      secrets: { 'vcs-token': { fromEnv: 'BITBUCKET_TOKEN' } },
      region: 'europe-west1',
      repoAllowlist: ['bitbucket.org/acme/*'],
    },
  },
  {
    name: 'bitbucket server / data center (base URL)',
    flags: [
      ...COMMON,
      '--region',
      'europe-west3',
      '--vcs',
      'bitbucket',
      '--vcs-user',
      'atlantis',
      '--vcs-base-url',
      'https://bitbucket.acme.com:7990/',
      '--repo-allowlist',
      'bitbucket.acme.com/*',
    ],
    steps: [
      ...start('europe-west3'),
      { expect: 'Which VCS does Atlantis serve', send: pick('bitbucket') },
      { expect: 'Bitbucket Cloud or Bitbucket Server', send: [KEY.down, KEY.enter] },
      { expect: 'Bitbucket user Atlantis acts as', send: type('atlantis') },
      { expect: 'Bitbucket Server base URL', send: type('https://bitbucket.acme.com:7990/') },
      { expect: 'Where will atlantis-run read the Bitbucket access token', send: KEY.enter },
      { expect: 'Environment variable that will hold', send: KEY.enter },
      ...finish({ allowlist: 'bitbucket.acme.com/*' }),
    ],
    expected: {
      vcs: { provider: 'bitbucket', user: 'atlantis', baseUrl: 'https://bitbucket.acme.com:7990' },
      secrets: { 'vcs-token': { fromEnv: 'BITBUCKET_TOKEN' } },
      region: 'europe-west3',
      repoAllowlist: ['bitbucket.acme.com/*'],
    },
  },
  {
    name: 'azure devops (user, webhook basic-auth user)',
    flags: [
      ...COMMON,
      '--region',
      'northamerica-northeast1',
      '--vcs',
      'azuredevops',
      '--vcs-user',
      'atlantis@acme.com',
      '--vcs-webhook-user',
      'atlantis-hook',
      '--repo-allowlist',
      'dev.azure.com/acme/*',
    ],
    steps: [
      ...start('northamerica-northeast1'),
      { expect: 'Which VCS does Atlantis serve', send: pick('azuredevops') },
      { expect: 'Azure DevOps user Atlantis acts as', send: type('atlantis@acme.com') },
      { expect: 'Basic-auth user Azure DevOps sends with webhooks', send: type('atlantis-hook') },
      { expect: 'Azure DevOps host name', send: KEY.enter },
      { expect: 'Where will atlantis-run read the Azure DevOps access token', send: KEY.enter },
      { expect: 'Environment variable that will hold', send: KEY.enter },
      ...finish({ allowlist: 'dev.azure.com/acme/*' }),
    ],
    expected: {
      vcs: { provider: 'azuredevops', user: 'atlantis@acme.com', webhookUser: 'atlantis-hook' },
      secrets: { 'vcs-token': { fromEnv: 'AZURE_DEVOPS_TOKEN' } },
      region: 'northamerica-northeast1',
      repoAllowlist: ['dev.azure.com/acme/*'],
    },
  },
  {
    name: 'gitea (base URL, user, token)',
    flags: [
      ...COMMON,
      '--region',
      'asia-northeast1',
      '--vcs',
      'gitea',
      '--vcs-base-url',
      'https://gitea.acme.com',
      '--vcs-user',
      'atlantis',
      '--repo-allowlist',
      'gitea.acme.com/acme/*',
    ],
    steps: [
      ...start('asia-northeast1'),
      { expect: 'Which VCS does Atlantis serve', send: pick('gitea') },
      { expect: 'Gitea base URL', send: type('https://gitea.acme.com') },
      { expect: 'Gitea user Atlantis acts as', send: type('atlantis') },
      { expect: 'Where will atlantis-run read the Gitea access token', send: KEY.enter },
      { expect: 'Environment variable that will hold', send: KEY.enter },
      ...finish({ allowlist: 'gitea.acme.com/acme/*' }),
    ],
    expected: {
      vcs: { provider: 'gitea', user: 'atlantis', baseUrl: 'https://gitea.acme.com' },
      secrets: { 'vcs-token': { fromEnv: 'GITEA_TOKEN' } },
      region: 'asia-northeast1',
      repoAllowlist: ['gitea.acme.com/acme/*'],
    },
  },
];
