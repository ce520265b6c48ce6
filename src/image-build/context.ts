// A build context as Docker would send it: every file under the directory except what .dockerignore
// excludes (the Dockerfile and .dockerignore themselves always go), each with its SHA-256, so the
// image tag can be a hash of exactly what is built, and the same set packed for Cloud Build.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, OperationError } from '../errors.js';
import { isIgnored, mayReinclude, parseDockerignore, type IgnorePattern } from './dockerignore.js';
import { tarGz, type TarEntry } from './tar.js';

export type ContextEntry =
  | { type: 'dir'; path: string }
  | { type: 'file'; path: string; executable: boolean; sha256: string; size: number }
  | { type: 'symlink'; path: string; target: string };

export interface BuildContext {
  /** Absolute directory. */
  dir: string;
  /** The Dockerfile, relative to dir (slash-separated). */
  dockerfile: string;
  entries: ContextEntry[];
  /** Files and directories .dockerignore left out. */
  ignored: number;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Reads the context directory; a missing directory or Dockerfile is a configuration error (exit 2). */
export async function readContext(dir: string, dockerfile: string, configField = 'image.context'): Promise<BuildContext> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new ConfigError(configField, `${dir} is not a directory`, { hint: 'point image.context at the folder holding your Dockerfile' });
  const relDockerfile = path.posix.normalize(dockerfile.split(path.sep).join('/'));
  if (relDockerfile.startsWith('../') || path.isAbsolute(relDockerfile))
    throw new ConfigError('image.dockerfile', `${dockerfile} must be inside the context ${dir}`);
  const df = await lstat(path.join(dir, relDockerfile)).catch(() => undefined);
  if (!df?.isFile()) {
    throw new ConfigError('image.dockerfile', `${path.join(dir, relDockerfile)} does not exist`, {
      hint: 'a build context needs a Dockerfile (or set image.dockerfile to its path inside the context)',
    });
  }
  let patterns: IgnorePattern[] = [];
  const ignoreText = await readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => undefined);
  if (ignoreText !== undefined) {
    try {
      patterns = parseDockerignore(ignoreText);
    } catch (err) {
      throw new ConfigError(configField, `${path.join(dir, '.dockerignore')}: ${(err as Error).message}`);
    }
  }
  const context: BuildContext = { dir, dockerfile: relDockerfile, entries: [], ignored: 0 };
  await walk(context, patterns, '');
  return context;
}

async function walk(context: BuildContext, patterns: IgnorePattern[], rel: string): Promise<void> {
  const names = (await readdir(path.join(context.dir, rel))).sort();
  for (const name of names) {
    const file = rel ? `${rel}/${name}` : name;
    const always = file === context.dockerfile || file === '.dockerignore';
    const ignored = !always && isIgnored(patterns, file);
    const info = await lstat(path.join(context.dir, file));
    if (info.isDirectory()) {
      if (ignored) context.ignored++;
      else context.entries.push({ type: 'dir', path: file });
      // An ignored directory is skipped whole unless a `!` pattern could bring something back.
      if (!ignored || mayReinclude(patterns)) await walk(context, patterns, file);
    } else if (ignored) {
      context.ignored++;
    } else if (info.isSymbolicLink()) {
      context.entries.push({ type: 'symlink', path: file, target: await readlink(path.join(context.dir, file)) });
    } else if (info.isFile()) {
      const content = await readFile(path.join(context.dir, file));
      context.entries.push({
        type: 'file',
        path: file,
        executable: (info.mode & 0o111) !== 0,
        sha256: sha256(content),
        size: content.length,
      });
    }
  }
}

/** One line per entry, in path order: what the content hash of a context is taken over. */
export function contextListing(context: BuildContext): string {
  return context.entries
    .map((e) =>
      e.type === 'dir'
        ? `d ${e.path}`
        : e.type === 'symlink'
          ? `l ${e.path} -> ${e.target}`
          : `f ${e.executable ? '755' : '644'} ${e.sha256} ${e.path}`,
    )
    .join('\n');
}

/** The files' SHA-256 by path (for "context changed: …" and the lockfile). */
export function fileHashes(context: BuildContext): Record<string, string> {
  return Object.fromEntries(
    context.entries.flatMap((e) => (e.type === 'file' ? [[e.path, e.sha256]] : e.type === 'symlink' ? [[e.path, `-> ${e.target}`]] : [])),
  );
}

/** The context packed as tar.gz, re-reading each file and refusing one that changed since it was hashed. */
export async function packContext(context: BuildContext): Promise<Buffer> {
  const entries: TarEntry[] = [];
  for (const e of context.entries) {
    if (e.type !== 'file') {
      entries.push(e);
      continue;
    }
    const content = await readFile(path.join(context.dir, e.path));
    if (sha256(content) !== e.sha256)
      throw new OperationError(`${e.path} in the build context changed while the build was being prepared`, { hint: 'run deploy again' });
    entries.push({ type: 'file', path: e.path, executable: e.executable, content });
  }
  return tarGz(entries);
}
