// Secret values must never reach stdout, stderr, --json output, the lockfile, the debug log or an
// error message. Every value the tool reads from a secret source, or generates, is registered
// here the moment it exists; every writer of text passes its output through `redact()`.

const REDACTED = '[REDACTED]';
const known = new Set<string>();

// Values shorter than this are not registered: replacing "a" everywhere would wreck the output,
// and the tool refuses such short secrets anyway.
const MIN_LENGTH = 4;

/** Registers a secret value (and each of its lines, for multi-line keys) for redaction. */
export function registerSecret(value: string | Buffer | undefined | null): void {
  if (value === undefined || value === null) return;
  const text = typeof value === 'string' ? value : value.toString('utf8');
  const trimmed = text.trim();
  if (trimmed.length >= MIN_LENGTH) known.add(trimmed);
  if (trimmed.includes('\n')) {
    for (const line of trimmed.split(/\r?\n/)) {
      const l = line.trim();
      // PEM armour lines are not secret, and redacting them would only hide what kind of file it is.
      if (l.length >= 16 && !l.startsWith('-----')) known.add(l);
    }
  }
  if (trimmed.length >= MIN_LENGTH) {
    // The same value also travels base64-encoded (Secret Manager payloads over REST) and
    // JSON-escaped (the debug log and --json output).
    known.add(Buffer.from(text, 'utf8').toString('base64'));
    const escaped = JSON.stringify(trimmed).slice(1, -1);
    if (escaped !== trimmed) known.add(escaped);
  }
}

// Credentials that are secret by shape, whoever produced them.
const PATTERNS: RegExp[] = [
  /\bya29\.[A-Za-z0-9._-]+/g, // Google OAuth access tokens
  /\b(gh[pousr]_[A-Za-z0-9]{20,})\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g, // GitHub fine-grained tokens
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab personal access tokens
  /\bAT(?:BB|ATT)[A-Za-z0-9_=-]{20,}/g, // Atlassian (Bitbucket) app passwords and API tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JSON Web Tokens
  /(authorization["']?\s*[:=]\s*["']?(?:bearer|basic)\s+)[^\s"',}]+/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

export function redact(text: string): string {
  let out = text;
  if (known.size > 0) {
    // Longest first, so a value that contains another is replaced whole.
    for (const value of [...known].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
  }
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) && prefix !== match ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** Whether `text` holds something shaped like a credential (a token, a key), registered or not. */
export function looksLikeCredential(text: string): boolean {
  return PATTERNS.some((pattern) => new RegExp(pattern.source, pattern.flags.replace('g', '')).test(text));
}

/** For tests: forget every registered value. */
export function clearRegisteredSecrets(): void {
  known.clear();
}
