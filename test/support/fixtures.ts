import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

/** A temporary working directory removed after the test. */
export function tempDir(prefix = 'atlantis-run-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export const MINIMAL_CONFIG = `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
`;

/** A project folder with an atlantis-run.yaml. */
export function projectDir(config = MINIMAL_CONFIG, files: Record<string, string> = {}): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'atlantis-run.yaml'), config);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}
