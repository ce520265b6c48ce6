// desiredState for representative configurations: the pure function every plan, render and deploy
// starts from. Facts (project number, versions, the image) fill the placeholders render shows offline.
import { describe, expect, it } from 'vitest';
import { desiredState, PROJECT_NUMBER_PLACEHOLDER, versionPlaceholder } from '../../src/desired/index.js';
import type { RunContainer, RunService } from '../../src/gcp/apis/run-types.js';
import { configOf } from '../support/phase-context.js';

const containerOf = (service: RunService): RunContainer => service.template!.containers![0];
const envOf = (service: RunService) => Object.fromEntries((containerOf(service).env ?? []).map((e) => [e.name, e]));

describe('desiredState', () => {
  it('GitHub with a token: three secrets pinned by version, the ghcr.io proxy, the deterministic URL', async () => {
    const config = await configOf();
    const offline = desiredState(config);
    expect(offline.projectNumber).toBe(PROJECT_NUMBER_PLACEHOLDER);
    expect(envOf(offline.service).ATLANTIS_GH_TOKEN?.valueSource?.secretKeyRef?.version).toBe(versionPlaceholder('atlantis-vcs-token'));

    const d = desiredState(config, {
      projectNumber: '42',
      secretVersions: { 'vcs-token': '3', 'webhook-secret': '1', 'web-password': '2' },
      image: 'europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:' + 'b'.repeat(64),
    });
    expect(d.url).toBe('https://atlantis-42.europe-west1.run.app');
    expect(d.webhookUrl).toBe('https://atlantis-42.europe-west1.run.app/events');
    expect(d.secrets.map((s) => [s.name, s.secretId, s.spec.origin, s.source.kind])).toEqual([
      ['vcs-token', 'atlantis-vcs-token', 'user', 'env'],
      ['webhook-secret', 'atlantis-webhook-secret', 'generated', 'generated'],
      ['web-password', 'atlantis-web-password', 'generated', 'generated'],
    ]);
    expect(d.repository).toMatchObject({ repositoryId: 'atlantis-ghcr', body: { mode: 'REMOTE_REPOSITORY' } });
    expect(d.bindings).toHaveLength(3);
    const env = envOf(d.service);
    expect(env.ATLANTIS_GH_TOKEN?.valueSource?.secretKeyRef).toEqual({ secret: 'atlantis-vcs-token', version: '3' });
    expect(env.ATLANTIS_ATLANTIS_URL?.value).toBe(d.url);
    expect(env.ATLANTIS_WEB_USERNAME?.value).toBe('atlantis');
    expect(containerOf(d.service).image).toBe(d.image.reference);
    // Env sorted by name: a stable spec, stable diffs.
    const names = (containerOf(d.service).env ?? []).map((e) => e.name);
    expect(names).toEqual([...names].sort());
    // The in-memory data dir: half the memory by default.
    expect(d.service.template!.volumes![0]).toEqual({ name: 'atlantis-data', emptyDir: { medium: 'MEMORY', sizeLimit: '1Gi' } });
  });

  it('a GitHub App with repos.yaml, own image, a domain, project roles, no UI auth', async () => {
    const config = await configOf(`project: my-project
region: us-central1
service: tf
domain: atlantis.example.com
image: {strategy: reference, reference: "us-central1-docker.pkg.dev/my-project/images/atlantis:v1"}
resources: {cpu: 2, memory: 4Gi}
persistence: {mode: memory, sizeLimit: 3Gi}
access: {uiAuth: false}
serviceAccount: {roles: [roles/storage.admin]}
atlantis:
  repoAllowlist: ["github.com/acme/*", "github.com/acme-labs/*"]
  vcs: {provider: github-app, appId: 1234}
  repoConfig: ./repos.yaml
secrets:
  github-app-key: {fromFile: ./app.pem}
`);
    const d = desiredState(config, { projectNumber: '7' });
    expect(d.secrets.map((s) => s.name)).toEqual(['github-app-key', 'webhook-secret', 'repo-config']);
    expect(d.repository).toBeUndefined();
    expect(d.url).toBe('https://atlantis.example.com');
    expect(d.domain).toEqual({ name: 'atlantis.example.com', routeName: 'tf' });
    expect(d.bindings).toContainEqual({
      resource: 'projects/my-project',
      role: 'roles/storage.admin',
      member: `serviceAccount:tf-runtime@my-project.iam.gserviceaccount.com`,
    });
    const env = envOf(d.service);
    expect(env.ATLANTIS_REPO_ALLOWLIST?.value).toBe('github.com/acme/*,github.com/acme-labs/*');
    expect(env.ATLANTIS_WEB_BASIC_AUTH).toBeUndefined();
    expect(env.ATLANTIS_REPO_CONFIG?.value).toMatch(/\.yaml$/);
    // repos.yaml travels as a secret volume whose items[].path names a .yaml file.
    const repoVolume = d.service.template!.volumes!.find((v) => v.name === 'repo-config');
    expect(repoVolume?.secret?.items?.[0]?.path).toMatch(/\.yaml$/);
    expect(containerOf(d.service).resources).toEqual({ limits: { cpu: '2', memory: '4Gi' }, cpuIdle: false, startupCpuBoost: true });
    expect(d.service.template!.volumes![0]?.emptyDir?.sizeLimit).toBe('3Gi');
    expect(d.image).toEqual({ reference: 'us-central1-docker.pkg.dev/my-project/images/atlantis:v1', resolved: false });
  });
});
