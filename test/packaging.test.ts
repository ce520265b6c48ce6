// What `npm pack` ships is what an installed `atlantis-run` needs, and nothing it does not: the
// launcher, the built code, the schemas and the templates; every package the built code imports is a
// runtime dependency (devDependencies are not installed with the tarball). The install itself —
// `npm install -g` of the tarball into a fresh prefix, used from another directory — needs the npm
// registry and runs in .ci/run (scripts/install-check.sh). And the release workflow publishes with
// npm provenance, after those checks.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { githubWorkflowErrors } from './support/ci-schemas.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  engines: { node: string };
};

function packedFiles(): string[] {
  // --ignore-scripts: the build already ran (npm test builds first); this only lists.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

describe('the npm package', () => {
  it('ships the launcher, the built code, the schemas and the templates — no sources or tests', () => {
    const files = packedFiles();
    for (const needed of [
      'package.json',
      'README.md',
      pkg.bin['atlantis-run'],
      'dist/cli/main.bundle.js',
      'dist/cli/run.js',
      'dist/emulator/index.js',
      'schema/atlantis-run.schema.json',
      'schema/atlantis-run.output.schema.json',
      'templates/repos.yaml',
    ]) {
      expect(files, needed).toContain(needed.replace(/^\.\//, ''));
    }
    expect(files.some((f) => f.startsWith('templates/ci/'))).toBe(true);
    expect(files.filter((f) => /^(src|test|scripts|\.ci|examples)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    expect(pkg.engines.node).toBe('>=22');
  });

  it('the built code imports only runtime dependencies and Node built-ins', () => {
    const dist = path.join(ROOT, 'dist');
    const imported = new Set<string>();
    for (const file of walk(dist).filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(file, 'utf8');
      const specifiers = [
        ...text.matchAll(/^\s*(?:import|export)\s[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ];
      for (const m of specifiers) if (!m[1].startsWith('.')) imported.add(m[1]);
    }
    const packages = [...imported]
      .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
    const notDependencies = [...new Set(packages)].filter((p) => !(p in pkg.dependencies));
    expect(notDependencies).toEqual([]);
  });
});

describe('the release workflow', () => {
  const file = path.join(ROOT, '.github', 'workflows', 'release.yml');
  const text = readFileSync(file, 'utf8');
  const workflow = parse(text) as {
    on: { push: { tags: string[] } };
    jobs: Record<string, { permissions: Record<string, string>; steps: { run?: string; uses?: string; with?: Record<string, unknown> }[] }>;
  };

  it("is valid for GitHub's workflow parser", async () => {
    expect(await githubWorkflowErrors('release.yml', text)).toEqual([]);
  });

  it('publishes on a version tag, with npm provenance (id-token: write), after the CI checks and the install check', () => {
    expect(workflow.on.push.tags).toEqual(['v*.*.*']);
    const job = workflow.jobs.publish;
    expect(job.permissions['id-token']).toBe('write');
    const runs = job.steps.map((s) => s.run ?? s.uses ?? '');
    const publish = runs.findIndex((r) => /npm publish --provenance\b/.test(r));
    expect(publish).toBeGreaterThan(0);
    expect(runs.findIndex((r) => r.trim() === '.ci/run')).toBeLessThan(publish);
    expect(runs.slice(0, publish).join('\n')).toContain('GITHUB_REF_NAME');
    const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node'))!;
    expect(setup.with?.['registry-url']).toBe('https://registry.npmjs.org');
  });

  it('.ci/run installs the packed tarball into a fresh prefix on Node.js 22 and 24', () => {
    const ci = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/for major in 24 22; do[\s\S]*?with_node "\$major" scripts\/install-check\.sh/);
    const check = readFileSync(path.join(ROOT, 'scripts', 'install-check.sh'), 'utf8');
    for (const step of [
      'npm pack',
      'npm install --global --prefix',
      'atlantis-run --help',
      'atlantis-run render',
      'atlantis-run deploy --emulator',
    ]) {
      expect(check, step).toContain(step);
    }
  });
});
