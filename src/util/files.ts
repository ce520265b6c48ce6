// Reading a file the user named (a secret's source, a config file) safely: only a regular file —
// a FIFO or a device (/dev/zero, a pipe nobody writes to) would block the read or never end, and
// Ctrl-C cannot interrupt a read in progress — and never more than the caller can use. And the
// words for what went wrong with a path: what it is, what is wrong, instead of EISDIR or ELOOP.
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** A path the tool cannot use, and why, in words (`path` is as the user gave it). */
export class FileProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly code?: string,
  ) {
    super(`${path} ${problem}`);
    this.name = 'FileProblem';
  }
}

/** What a non-regular file is, for messages. */
function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** What an errno means for a path, in words ("is a folder, not a file"). */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'is not reachable: a part of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be accessed with your permissions (permission denied)';
    case 'ELOOP':
      return 'is a symbolic link that leads back to itself (or through too many links)';
    case 'EROFS':
      return 'is on a read-only file system';
    case 'ENAMETOOLONG':
      return 'is too long a path';
    case 'ENOSPC':
      return 'cannot be written: the disk is full';
    default:
      return err instanceof Error ? `cannot be used: ${err.message}` : 'cannot be used';
  }
}

/**
 * The content of a regular file, at most `maxBytes` (FileProblem beyond), or undefined when it does
 * not exist. Anything else (a folder, a FIFO, a device, a loop of links) is a FileProblem.
 */
export async function readRegularFile(file: string, maxBytes: number, shown = file): Promise<Buffer | undefined> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileProblem(shown, describeFsError(err), (err as NodeJS.ErrnoException).code);
  }
  if (!info.isFile()) throw new FileProblem(shown, `is ${kindOf(info)}, not a regular file`);
  let handle;
  try {
    // Non-blocking: should the path have become a FIFO since, opening it must not wait for a writer.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new FileProblem(shown, describeFsError(err), (err as NodeJS.ErrnoException).code);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new FileProblem(shown, `is ${kindOf(opened)}, not a regular file`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new FileProblem(shown, `holds more than ${maxBytes} bytes`);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
