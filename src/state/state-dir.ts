// The tool's local working folder (`.atlantis-run/` beside the config file): debug logs, the run
// lock, the in-process emulator's state. It ignores itself in git, so nothing in it is committed
// by accident.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export const STATE_DIR_NAME = '.atlantis-run';

export function ensureStateDir(baseDir: string): string {
  const dir = path.join(baseDir, STATE_DIR_NAME);
  mkdirSync(dir, { recursive: true });
  const ignore = path.join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
  return dir;
}
