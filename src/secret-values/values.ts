// Secret values: read from where the configuration says (environment, file, stdin), validated
// for their kind, registered for redaction the moment they exist, and identified by SHA-256 so the
// tool can tell a changed value without ever storing one.
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { SecretKind } from '../atlantis/catalog.js';
import type { DesiredSecret } from '../desired/index.js';
import { UsageError } from '../errors.js';
import { parseDocument } from 'yaml';
import { registerSecret } from '../util/redact.js';
import { FileProblem, readRegularFile } from '../util/files.js';

export interface SecretValue {
  data: Buffer;
  sha256: string;
  /** Where it came from, for messages: "$GITHUB_TOKEN", "file ./token". Never the value. */
  origin: string;
  notes: string[];
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A short, non-reversible fingerprint for humans (`secrets list`, plan output). */
export function shortDigest(hex: string | undefined): string | undefined {
  return hex ? `sha256:${hex.slice(0, 12)}` : undefined;
}

/** A new random value for generated secrets (webhook secret, UI password): 32 bytes, URL-safe. */
export function generateValue(): SecretValue {
  const text = randomBytes(32).toString('base64url');
  registerSecret(text);
  const data = Buffer.from(text, 'utf8');
  return { data, sha256: sha256(data), origin: 'generated', notes: [] };
}

/** Reads the configured source, or returns undefined when the source has no value right now. */
export async function readConfiguredValue(secret: DesiredSecret, env: NodeJS.ProcessEnv): Promise<SecretValue | undefined> {
  const source = secret.source;
  if (source.kind === 'env') {
    const raw = env[source.variable];
    if (raw === undefined || raw === '') return undefined;
    return checkedValue(secret.name, secret.spec.kind, Buffer.from(raw, 'utf8'), `$${source.variable}`);
  }
  if (source.kind === 'file') {
    const raw = await readSource(source.path, `secret ${secret.name}: ${source.path}`, (problem) =>
      problem.problem.startsWith('holds more')
        ? `Secret Manager takes at most ${MAX_PAYLOAD_BYTES / 1024} KiB`
        : `name a regular file in ${secret.name === 'repo-config' ? 'atlantis.repoConfig' : secret.name === 'server-config' ? 'atlantis.serverConfig' : `secrets.${secret.name}.fromFile`}`,
    );
    if (raw === undefined) return undefined;
    return checkedValue(secret.name, secret.spec.kind, raw, `file ${source.path}`);
  }
  return undefined;
}

/**
 * Reads a value named on the command line: `--from-file PATH`, or `--from-file -` for `stdin`
 * (read to its end, so `pass show x | atlantis-run secrets push NAME --from-file -` works).
 */
export async function readValueFrom(
  secret: Pick<DesiredSecret, 'name' | 'spec'>,
  file: string,
  stdin: NodeJS.ReadableStream,
  cwd: string,
): Promise<SecretValue> {
  if (file === '-') return checkedValue(secret.name, secret.spec.kind, await readStream(stdin), 'stdin');
  const absolute = path.resolve(cwd, file);
  const raw = await readSource(absolute, `--from-file ${file}`, (problem) =>
    problem.problem.startsWith('holds more')
      ? `Secret Manager takes at most ${MAX_PAYLOAD_BYTES / 1024} KiB`
      : 'name a regular file, or use --from-file - to read stdin',
  );
  if (raw === undefined) throw new UsageError(`--from-file ${file}: no such file`);
  return checkedValue(secret.name, secret.spec.kind, raw, `file ${file}`);
}

/** A secret's file, read safely (a regular file, bounded): undefined when it does not exist; UsageError naming `what` otherwise. */
async function readSource(file: string, what: string, hintFor: (problem: FileProblem) => string): Promise<Buffer | undefined> {
  try {
    return await readRegularFile(file, MAX_PAYLOAD_BYTES);
  } catch (err) {
    if (!(err instanceof FileProblem)) throw err;
    throw new UsageError(`${what} ${err.problem}`, { hint: hintFor(err) });
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += buffer.length;
    // Secret Manager refuses more anyway; stop reading an endless pipe early.
    if (size > MAX_PAYLOAD_BYTES)
      throw new UsageError(
        `--from-file -: stdin holds more than ${MAX_PAYLOAD_BYTES / 1024} KiB, Secret Manager's limit for a secret value`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Secret Manager's limit on one version's payload. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Validates a value for its kind. Tokens and passwords lose a trailing newline (files usually end
 * with one; Atlantis would send it in the Authorization header) — and we say so.
 */
export function checkedValue(name: string, kind: SecretKind, raw: Buffer, origin: string): SecretValue {
  registerSecret(raw);
  const notes: string[] = [];
  let data = raw;
  if (kind === 'token' || kind === 'password') {
    const text = raw.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(raw)) {
      throw new UsageError(`secret ${name}: the value from ${origin} is binary data, not text; a ${kind} is one line of text`, {
        hint: 'check that the right file (or variable) is named, and that it was not saved in another encoding (UTF-16)',
      });
    }
    const trimmed = text.replace(/\r?\n$/, '');
    if (trimmed !== text) notes.push(`removed the trailing newline from ${origin}`);
    if (/[\r\n]/.test(trimmed)) throw new UsageError(`secret ${name}: the value from ${origin} spans several lines; a ${kind} is one line`);
    // A NUL or another control character cannot travel in an HTTP header: the VCS would refuse it.
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(trimmed)) {
      throw new UsageError(
        `secret ${name}: the value from ${origin} contains a NUL or another control character; a ${kind} is printable text`,
      );
    }
    if (trimmed.trim() !== '' && trimmed !== trimmed.trim()) {
      throw new UsageError(`secret ${name}: the value from ${origin} has white space before or after it, which no ${kind} has`, {
        hint: 'remove the spaces (or tabs): they would be sent as part of it, and the VCS would refuse it',
      });
    }
    data = Buffer.from(trimmed, 'utf8');
  }
  if (data.toString('utf8').trim() === '') throw new UsageError(`secret ${name}: the value from ${origin} is empty`);
  if (data.length > MAX_PAYLOAD_BYTES) {
    throw new UsageError(
      `secret ${name}: the value from ${origin} has ${data.length} bytes; Secret Manager takes at most ${MAX_PAYLOAD_BYTES} (64 KiB)`,
    );
  }
  if (kind === 'pem') {
    let type: string | undefined;
    try {
      type = createPrivateKey({ key: data, format: 'pem' }).asymmetricKeyType;
    } catch {
      throw new UsageError(`secret ${name}: the value from ${origin} is not a PEM private key`, {
        hint: 'use the private key file GitHub generated for the App (-----BEGIN RSA PRIVATE KEY-----)',
      });
    }
    // GitHub signs App JWTs with RS256 only: it generates RSA keys, and refuses others.
    if (type !== 'rsa') {
      throw new UsageError(
        `secret ${name}: the value from ${origin} is ${type ? `an ${type.toUpperCase()}` : 'a'} private key; GitHub App keys are RSA`,
        {
          hint: 'use the private key file GitHub generated for the App (-----BEGIN RSA PRIVATE KEY-----)',
        },
      );
    }
  }
  if (kind === 'yaml') validateYaml(name, data, origin);
  return { data, sha256: sha256(data), origin, notes };
}

/** Aliases a YAML document may expand (the yaml library's own default): beyond, it is an alias bomb. */
export const MAX_ALIASES = 100;

// Top-level keys of Atlantis' server-side repo config (runatlantis.io/docs/server-side-repo-config).
const REPO_CONFIG_KEYS = ['repos', 'workflows', 'policies', 'metrics', 'team_authz', 'external_stores'];

function validateYaml(name: string, data: Buffer, origin: string): void {
  const doc = parseDocument(data.toString('utf8'), { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const at = first.linePos?.[0] ? ` (line ${first.linePos[0].line})` : '';
    throw new UsageError(`secret ${name}: ${origin} is not valid YAML${at}: ${first.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch {
    // The yaml library stops an alias bomb ("billion laughs") here.
    throw new UsageError(`secret ${name}: ${origin} expands too many aliases (*anchor references) to be a configuration file`, {
      hint: 'write the repeated parts out, or use fewer aliases',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`secret ${name}: ${origin} must be a YAML mapping`);
  }
  if (name === 'repo-config') {
    const unknown = Object.keys(value).filter((k) => !REPO_CONFIG_KEYS.includes(k));
    if (unknown.length > 0) {
      // The file is a secret: its keys are not repeated in a message that may end up in a CI log.
      throw new UsageError(
        `secret ${name}: ${origin} has ${unknown.length === 1 ? 'a top-level key' : `${unknown.length} top-level keys`} Atlantis does not know (not shown: the file is secret)`,
        {
          hint: `Atlantis server-side repo config accepts: ${REPO_CONFIG_KEYS.join(', ')}`,
        },
      );
    }
    const repos = (value as { repos?: unknown }).repos;
    if (repos !== undefined && !Array.isArray(repos)) throw new UsageError(`secret ${name}: ${origin}: repos must be a list`);
  }
}
