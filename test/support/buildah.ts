// Debian's buildah for the local-builder tests: found on PATH (`.ci/run` installs it), run as root
// with the vfs storage driver and chroot isolation (no overlay, no user namespaces needed) in a
// throwaway storage folder, and a small base image built here from busybox-static — no network —
// standing in for the Atlantis image: a shell, the tools a recipe uses (wget behind a tiny `curl`
// shim, sha256sum, tar, unzip, awk) and the `atlantis` user.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { accessSync, constants, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { tempDir } from './fixtures.js';

export type BuildahAvailability = { ok: true } | { ok: false; reason: string };

/** Whether an executable of that name is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** buildah and a static busybox, or why the tests cannot run here. */
export function buildahAvailability(): BuildahAvailability {
  if (!onPath('buildah')) return { ok: false, reason: 'buildah is not installed (apt-get install buildah; .ci/run does this)' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'buildah with vfs storage and chroot isolation needs root here' };
  if (!staticBusybox()) return { ok: false, reason: 'no static busybox (apt-get install busybox-static; .ci/run does this)' };
  return { ok: true };
}

function staticBusybox(): string | undefined {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) {
    try {
      accessSync(candidate, constants.X_OK);
      if (isStaticElf(readFileSync(candidate))) return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** A 64-bit ELF without a program interpreter (PT_INTERP): it runs in an image that has no libc. */
function isStaticElf(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(phoff + i * size) === 3) return false;
  return true;
}

/** The environment buildah and podman (run by the test or by atlantis-run) work in: their own storage, vfs, chroot. */
export function buildahEnv(): { env: NodeJS.ProcessEnv; remove(): void } {
  // Not a per-test temporary folder: the storage outlives tests (the base image is built once).
  const root = mkdtempSync(path.join(os.tmpdir(), 'atlantis-run-buildah-'));
  const conf = path.join(root, 'storage.conf');
  writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${path.join(root, 'storage')}"\nrunroot = "${path.join(root, 'run')}"\n`);
  return {
    env: { CONTAINERS_STORAGE_CONF: conf, STORAGE_DRIVER: 'vfs', BUILDAH_ISOLATION: 'chroot', TMPDIR: root },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

// A stand-in for curl in the base image (busybox has wget): what the recipe runs is
// `curl -fsSL -o FILE URL`; wget fails on an HTTP error like curl -f does.
const CURL_SHIM = `#!/bin/sh
out=; url=
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    -*) shift ;;
    *) url=$1; shift ;;
  esac
done
exec wget -q -O "$out" "$url"
`;

/**
 * Builds the stand-in Atlantis base image and pushes it to `target` (a plain-HTTP registry).
 * Asynchronously: the registry front it pushes through runs in this very process.
 */
export async function buildAndPushBase(env: NodeJS.ProcessEnv, target: string): Promise<void> {
  const dir = tempDir('atlantis-run-base-');
  copyFileSync(staticBusybox()!, path.join(dir, 'busybox'));
  writeFileSync(path.join(dir, 'curl'), CURL_SHIM, { mode: 0o755 });
  writeFileSync(path.join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\natlantis:x:100:1000:atlantis:/home/atlantis:/bin/sh\n');
  writeFileSync(path.join(dir, 'group'), 'root:x:0:\natlantis:x:1000:\n');
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      'COPY curl /usr/bin/curl',
      'COPY passwd group /etc/',
      'RUN mkdir -p /tmp /home/atlantis /usr/local/bin && chmod 1777 /tmp',
      'USER atlantis',
      'CMD ["/bin/sh", "-c", "echo atlantis stand-in"]',
      '',
    ].join('\n'),
  );
  const run = (args: string[]) => promisify(execFile)('buildah', args, { env: { ...process.env, ...env }, timeout: 120_000 });
  await run(['build', '--platform', 'linux/amd64', '-t', 'atlantis-standin:latest', dir]);
  await run(['push', '--tls-verify=false', 'atlantis-standin:latest', `docker://${target}`]);
}

export interface RegistryFront {
  host: string;
  close(): Promise<void>;
}

/**
 * A pass-through in front of the test registry that tells `onManifest` of every manifest pushed:
 * the test wires it to the emulated Artifact Registry, so the pushed digest is known to the
 * emulator's Cloud Run as it would be at Google, where pushing and the API are one service.
 */
export async function startRegistryFront(
  upstream: string,
  onManifest: (name: string, reference: string, digest: string) => void,
): Promise<RegistryFront> {
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers.host;
    const forward = http.request(`${upstream}${req.url ?? '/'}`, { method: req.method, headers }, (answer) => {
      const manifest = /^\/v2\/(.+)\/manifests\/([^/?]+)$/.exec((req.url ?? '').split('?')[0]);
      const digest = answer.headers['docker-content-digest'];
      if (req.method === 'PUT' && answer.statusCode === 201 && manifest && typeof digest === 'string')
        onManifest(manifest[1], manifest[2], digest);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (err) => res.writeHead(502).end(String(err)));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A static file server standing in for github.com release downloads (image.mirror). */
export async function startDownloads(
  files: Record<string, string | Buffer>,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const urlPath = (req.url ?? '/').split('?')[0];
    requests.push(urlPath);
    const body = files[urlPath];
    if (body === undefined) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
