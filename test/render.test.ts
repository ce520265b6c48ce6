import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliProcess } from './support/cli.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';

type Json = Record<string, any>;

function envOf(container: Json): Record<string, Json> {
  return Object.fromEntries((container.env as Json[]).map((e) => [e.name, e]));
}

describe('render', () => {
  it('prints a Cloud Run v2 Service with every Atlantis default (--json, through the launcher)', async () => {
    const dir = projectDir();
    const result = await runCliProcess(['render', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // one JSON object, nothing else on stdout
    const out = JSON.parse(lines[0]) as Json;
    expect(out.type).toBe('result');
    const service = out.service as Json;
    const template = service.template as Json;
    const container = template.containers[0] as Json;
    const env = envOf(container);

    expect(service.name).toBe('projects/my-project/locations/europe-west1/services/atlantis');
    expect(service.invokerIamDisabled).toBe(true);
    expect(service.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(template.scaling).toEqual({ minInstanceCount: 1, maxInstanceCount: 1 });
    expect(template.executionEnvironment).toBe('EXECUTION_ENVIRONMENT_GEN2');
    expect(template.serviceAccount).toBe('atlantis-runtime@my-project.iam.gserviceaccount.com');
    expect(container.resources).toEqual({ limits: { cpu: '1', memory: '2Gi' }, cpuIdle: false, startupCpuBoost: true });
    expect(container.ports).toEqual([{ name: 'http1', containerPort: 4141 }]);
    expect(container.startupProbe.tcpSocket).toEqual({ port: 4141 });
    expect(container.startupProbe.httpGet).toBeUndefined();
    expect(container.image).toBe('europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis:v0.47.1');

    // Data dir on a sized in-memory volume, within the memory limit.
    expect(env.ATLANTIS_DATA_DIR.value).toBe('/app/atlantis');
    expect(template.volumes).toContainEqual({ name: 'atlantis-data', emptyDir: { medium: 'MEMORY', sizeLimit: '1Gi' } });
    expect(container.volumeMounts).toContainEqual({ name: 'atlantis-data', mountPath: '/app/atlantis' });

    // Deterministic URL, with a placeholder for the project number offline.
    expect(env.ATLANTIS_ATLANTIS_URL.value).toBe('https://atlantis-<project-number>.europe-west1.run.app');
    expect(out.webhookUrl).toBe('https://atlantis-<project-number>.europe-west1.run.app/events');
    expect(env.ATLANTIS_PORT.value).toBe('4141');
    expect(env.ATLANTIS_REPO_ALLOWLIST.value).toBe('github.com/acme/*');
    expect(env.ATLANTIS_GH_USER.value).toBe('atlantis-bot');

    // Secrets pinned to versions (placeholders offline), never `latest`, never a value.
    for (const name of ['ATLANTIS_GH_TOKEN', 'ATLANTIS_GH_WEBHOOK_SECRET', 'ATLANTIS_WEB_PASSWORD']) {
      const ref = env[name].valueSource.secretKeyRef as Json;
      expect(ref.version).toMatch(/^<version-of:atlantis-/);
      expect(env[name].value).toBeUndefined();
    }
    // UI basic auth on.
    expect(env.ATLANTIS_WEB_BASIC_AUTH.value).toBe('true');
    expect(env.ATLANTIS_WEB_USERNAME.value).toBe('atlantis');

    expect(out.apis).toEqual([
      'artifactregistry.googleapis.com',
      'iam.googleapis.com',
      'run.googleapis.com',
      'secretmanager.googleapis.com',
    ]);
    expect(out.repository.body).toMatchObject({
      format: 'DOCKER',
      mode: 'REMOTE_REPOSITORY',
      remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'https://ghcr.io' } } },
    });
    expect(out.secrets.map((s: Json) => [s.secretId, s.origin])).toEqual([
      ['atlantis-vcs-token', 'user'],
      ['atlantis-webhook-secret', 'generated'],
      ['atlantis-web-password', 'generated'],
    ]);
    expect(out.bindings).toContainEqual({
      resource: 'projects/my-project/secrets/atlantis-vcs-token',
      role: 'roles/secretmanager.secretAccessor',
      member: 'serviceAccount:atlantis-runtime@my-project.iam.gserviceaccount.com',
    });
    // Bindings are on the secrets only, not project-wide.
    expect(out.bindings.filter((b: Json) => b.resource === 'projects/my-project')).toEqual([]);
  });

  it('mounts config files as .yaml through items[].path and points Atlantis at them', async () => {
    const dir = projectDir(`${MINIMAL_CONFIG.replace('  vcs:', '  repoConfig: ./repos.yaml\n  serverConfig: ./server.yaml\n  vcs:')}`, {
      'repos.yaml': 'repos:\n  - id: /.*/\n',
      'server.yaml': 'log-level: info\n',
    });
    const result = await runCli(['render', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as Json;
    const template = out.service.template as Json;
    const env = envOf(template.containers[0]);
    expect(template.volumes).toContainEqual({
      name: 'repo-config',
      secret: { secret: 'atlantis-repo-config', items: [{ path: 'repos.yaml', version: '<version-of:atlantis-repo-config>' }] },
    });
    expect(template.volumes).toContainEqual({
      name: 'server-config',
      secret: { secret: 'atlantis-server-config', items: [{ path: 'config.yaml', version: '<version-of:atlantis-server-config>' }] },
    });
    expect(env.ATLANTIS_REPO_CONFIG.value).toBe('/etc/atlantis/repo-config/repos.yaml');
    expect(env.ATLANTIS_CONFIG.value).toBe('/etc/atlantis/server-config/config.yaml');
  });

  it('uses the project number, versions and digest recorded in the lockfile', async () => {
    const dir = projectDir();
    const digestRef = `europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:${'a'.repeat(64)}`;
    writeFileSync(
      path.join(dir, 'atlantis-run.lock'),
      JSON.stringify({
        schemaVersion: 1,
        generator: 'atlantis-run test',
        project: 'my-project',
        projectNumber: '123456789012',
        region: 'europe-west1',
        service: 'atlantis',
        updatedAt: new Date().toISOString(),
        resources: {
          secrets: { 'vcs-token': { name: 'projects/my-project/secrets/atlantis-vcs-token', version: '3' } },
          image: { reference: digestRef, digest: `sha256:${'a'.repeat(64)}` },
        },
      }),
    );
    const result = await runCli(['render', '--json'], { cwd: dir });
    const out = JSON.parse(result.stdout) as Json;
    const container = out.service.template.containers[0] as Json;
    const env = envOf(container);
    expect(out.url).toBe('https://atlantis-123456789012.europe-west1.run.app');
    expect(env.ATLANTIS_GH_TOKEN.valueSource.secretKeyRef.version).toBe('3');
    expect(container.image).toBe(digestRef);
  });

  it('prints a readable summary for humans', async () => {
    const dir = projectDir();
    const result = await runCli(['render'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# Cloud Run service (v2)');
    expect(result.stdout).toContain('cpuIdle: false');
    expect(result.stdout).toContain('atlantis-vcs-token: GitHub access token (from $GITHUB_TOKEN)');
  });

  it('follows per-provider settings (GitLab self-managed)', async () => {
    const dir = projectDir(
      MINIMAL_CONFIG.replace(
        '{provider: github, user: atlantis-bot}',
        '{provider: gitlab, user: bot, hostname: gitlab.example.com}',
      ).replace('github.com/acme/*', 'gitlab.example.com/acme/*'),
    );
    const out = JSON.parse((await runCli(['render', '--json'], { cwd: dir })).stdout) as Json;
    const env = envOf(out.service.template.containers[0]);
    expect(env.ATLANTIS_GITLAB_USER.value).toBe('bot');
    expect(env.ATLANTIS_GITLAB_HOSTNAME.value).toBe('gitlab.example.com');
    expect(env.ATLANTIS_GITLAB_TOKEN.valueSource.secretKeyRef.secret).toBe('atlantis-vcs-token');
    expect(env.ATLANTIS_GITLAB_WEBHOOK_SECRET.valueSource.secretKeyRef.secret).toBe('atlantis-webhook-secret');
  });
});
