// Where a secret value may leave the tool: a file given with --output (mode 0600, never replacing
// an existing file without --force), or a terminal on stdout on explicit request. Everything else
// the tool writes passes through the redactor; these two paths bypass it on purpose, and are the
// only ones that do.
import { constants } from 'node:fs';
import { chmod, lstat, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { describeFsError } from '../util/files.js';

/** Checked before anything changes (rotate writes the file only after generating a value). */
export async function checkOutputPath(file: string, force: boolean, cwd: string): Promise<string> {
  const absolute = path.resolve(cwd, file);
  let exists = false;
  try {
    const stat = await lstat(absolute);
    exists = true;
    if (stat.isDirectory()) throw new UsageError(`--output ${file} is a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--output ${file} ${describeFsError(err)}`);
  }
  if (exists && !force)
    throw new UsageError(`--output ${file} exists; it was not changed`, { hint: 'pass --force to replace it, or choose another file' });
  try {
    if (!(await lstat(path.dirname(absolute))).isDirectory())
      throw new UsageError(`--output ${file}: ${path.dirname(file)} is not a folder`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--output ${file}: the folder ${path.dirname(file)} ${describeFsError(err)}`);
  }
  return absolute;
}

/**
 * Writes a value readable by its owner only. A new file is created exclusively with mode 0600; with
 * --force an existing one is replaced by renaming a 0600 temp file over it, so there is no moment
 * when the value sits in a file with wider permissions (or in a symlink's target).
 */
export async function writeValueFile(absolute: string, value: Buffer, force: boolean): Promise<void> {
  const target = force ? path.join(path.dirname(absolute), `.${path.basename(absolute)}.${process.pid}.${Date.now()}.tmp`) : absolute;
  let handle;
  try {
    handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`--output ${absolute} exists; it was not changed`, { hint: 'pass --force to replace it' });
    throw err;
  }
  try {
    await handle.writeFile(value);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The umask can only remove bits; this makes 0600 exact whatever it is.
  await chmod(target, 0o600);
  if (target !== absolute) {
    try {
      await rename(target, absolute);
    } catch (err) {
      await unlink(target).catch(() => undefined);
      throw err;
    }
  }
}

/** The one place a value is written to stdout: raw, not through the IO host (which redacts it). */
export function writeValueToTerminal(stdout: NodeJS.WritableStream, value: Buffer): void {
  stdout.write(value);
  if (value.length === 0 || value[value.length - 1] !== 0x0a) stdout.write('\n');
}
