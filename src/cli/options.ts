// Options several commands share, defined once (their flags, wording and defaults), and the parsers
// that turn their text into values with a usage error naming the flag.
import type { AtlantisRunConfig } from '../config/load.js';
import type { BuildImageConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';

/** How long a command waits for Google Cloud by default. */
export const DEFAULT_WAIT = '10m';

export const WAIT_TIMEOUT = {
  flags: '--wait-timeout <duration>',
  description: 'how long to wait for long-running operations, e.g. 90s, 10m',
  default: DEFAULT_WAIT,
} as const;

/** The same bound on read-only commands, where it rarely matters: not shown in their help. */
export const READ_WAIT_TIMEOUT = { ...WAIT_TIMEOUT, description: 'bound on waiting for Google Cloud', hidden: true } as const;

export const KEEP = {
  flags: '--keep <n>',
  description: 'after a rollout, keep the newest N enabled versions (older ones no revision uses are disabled)',
  default: '2',
} as const;

export const OUTPUT = { flags: '--output <file>', description: 'write the value to this file, mode 0600' } as const;
export const FORCE_OUTPUT = { flags: '--force', description: 'let --output replace an existing file' } as const;

/** Parses a duration ("10m", "90s", "600" seconds, "250ms") into milliseconds; NaN when it is not one. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return NaN;
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

/** --wait-timeout in milliseconds. */
export function waitTimeout(raw: string | undefined): number {
  const ms = parseDuration(raw ?? DEFAULT_WAIT);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--wait-timeout: expected a duration such as 90s or 10m, got "${raw}"`);
  return ms;
}

/** --keep N: how many of the newest enabled versions always stay enabled (at least 1). */
export function parseKeep(raw: string | undefined): number {
  const text = String(raw ?? KEEP.default).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new UsageError(`--keep: expected a whole number of versions, at least 1, got "${text}"`);
  return n;
}

/** An integer option ≥ 0 (ports, milliseconds), or undefined when not given. */
export function wholeNumber(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: expected a whole number ≥ 0, got "${raw}"`);
  return n;
}

export const BUILDER = {
  flags: '--builder <builder>',
  description: 'image.strategy build: build on cloud-build, or local (docker, podman or buildah); overrides image.builder',
} as const;

// The schema's list, repeated here because this module loads with --help, where zod must not.
const BUILDERS = ['cloud-build', 'local', 'docker', 'podman', 'buildah'] as const satisfies readonly BuildImageConfig['builder'][];

/** The configuration with --builder applied; a usage error when it does not apply or names no builder. */
export function withBuilderFlag(config: AtlantisRunConfig, raw: string | undefined): AtlantisRunConfig {
  if (raw === undefined) return config;
  const builder = raw.trim() as BuildImageConfig['builder'];
  if (!BUILDERS.includes(builder)) throw new UsageError(`--builder: expected one of ${BUILDERS.join(', ')}, got "${raw}"`);
  if (config.image.strategy !== 'build') {
    throw new UsageError(`--builder: only applies to image.strategy build (this configuration uses ${config.image.strategy})`);
  }
  return { ...config, image: { ...config.image, builder } };
}
