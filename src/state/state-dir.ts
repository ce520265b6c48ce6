// The tool's local working folder (`.atlantis-run/` beside the config file): debug logs, the run
// lock, the in-process emulator's state. It ignores itself in git, so nothing in it is committed
// by accident.
import { chmodSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export const STATE_DIR_NAME = '.atlantis-run';

export function ensureStateDir(baseDir: string): string {
  const dir = path.join(baseDir, STATE_DIR_NAME);
  mkdirSync(baseDir, { recursive: true });
  // It holds the debug logs and the in-process emulator's state (secret payloads among it): the
  // user's only, whatever the umask — also when an older version created it wider.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const ignore = path.join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n', { mode: 0o600 });
  return dir;
}
