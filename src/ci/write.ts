// Writes generated CI files under the repository root. Existing files are never replaced without
// `force`: every path is checked before the first one is written, so a refusal writes nothing.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { GeneratedFile } from './generate.js';

export interface WrittenFile extends GeneratedFile {
  action: 'created' | 'replaced';
}

export async function writeCiFiles(root: string, files: GeneratedFile[], force: boolean): Promise<WrittenFile[]> {
  const checked = await Promise.all(
    files.map(async (file) => {
      const target = path.resolve(root, file.path);
      if (!target.startsWith(path.resolve(root) + path.sep)) throw new UsageError(`${file.path}: outside the repository`);
      return { file, target, exists: await exists(target) };
    }),
  );
  const existing = checked.filter((c) => c.exists).map((c) => c.file.path);
  if (existing.length > 0 && !force) {
    throw new UsageError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}: nothing was written`, {
      hint: 'pass --force to replace (your changes to them are lost), or move them away first',
    });
  }
  const written: WrittenFile[] = [];
  for (const { file, target, exists: replaced } of checked) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content, 'utf8');
    written.push({ ...file, action: replaced ? 'replaced' : 'created' });
  }
  return written;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
