// A POSIX ustar writer (with PAX records for paths too long for ustar), gzipped: how a build context
// is packed for Cloud Build, byte for byte reproducible (fixed owner, mode and time), so the same
// files always give the same archive.
import { gzipSync } from 'node:zlib';

export type TarEntry =
  | { type: 'dir'; path: string }
  | { type: 'file'; path: string; executable: boolean; content: Buffer }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;

export function tarGz(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.type === 'dir' ? `${entry.path}/` : entry.path;
    const link = entry.type === 'symlink' ? entry.target : '';
    const pax: Record<string, string> = {};
    const split = splitName(name);
    if (!split) pax.path = name;
    if (Buffer.byteLength(link) > 100) pax.linkpath = link;
    if (Object.keys(pax).length > 0) {
      const body = paxBody(pax);
      blocks.push(header({ name: 'PaxHeader', prefix: '', type: 'x', size: body.length, mode: 0o644, link: '' }), pad(body));
    }
    const content = entry.type === 'file' ? entry.content : Buffer.alloc(0);
    const mode = entry.type === 'dir' || (entry.type === 'file' && entry.executable) ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644;
    const type = entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0';
    const names = split ?? { name: name.slice(0, 100), prefix: '' };
    blocks.push(header({ ...names, type, size: content.length, mode, link: link.slice(0, 100) }));
    if (content.length > 0) blocks.push(pad(content));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

/** ustar's name/prefix split of a path, or undefined when it needs a PAX record. */
function splitName(name: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { name: rest, prefix };
  }
  return undefined;
}

function paxBody(records: Record<string, string>): Buffer {
  let text = '';
  for (const [key, value] of Object.entries(records)) {
    const rest = ` ${key}=${value}\n`;
    // The length prefix counts its own digits.
    let length = Buffer.byteLength(rest) + 1;
    while (String(length).length + Buffer.byteLength(rest) !== length) length = String(length).length + Buffer.byteLength(rest);
    text += `${length}${rest}`;
  }
  return Buffer.from(text);
}

function header(h: { name: string; prefix: string; type: string; size: number; mode: number; link: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'utf8');
  octal(block, 100, 8, h.mode);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, h.size);
  octal(block, 136, 12, 0); // mtime: fixed, for reproducible archives
  block.write('        ', 148, 8, 'ascii'); // checksum counted as spaces
  block.write(h.type, 156, 1, 'ascii');
  block.write(h.link, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  block.write('root', 265, 32, 'ascii');
  block.write('root', 297, 32, 'ascii');
  block.write(h.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width, 'ascii');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
