// Reading atlantis-run.yaml: YAML syntax, then the schema, then the rules that span several keys,
// then flags and environment on top (precedence: flag > environment > file).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { describeFsError } from '../util/files.js';
import { configSchema, type ParsedConfig } from './schema.js';
import { validateConfig } from './validate.js';
import { resourceNames, type ResourceNames } from './names.js';

/** Values given on the command line or in the environment that override the file. */
export interface ConfigOverrides {
  project?: string | undefined;
  region?: string | undefined;
}

export interface AtlantisRunConfig extends ParsedConfig {
  project: string;
  region: string;
  /** Absolute path of the file it came from. */
  configPath: string;
  /** Relative paths in the file (repoConfig, fromFile…) are resolved against this directory. */
  configDir: string;
  names: ResourceNames;
}

export interface ConfigIssue {
  path: string;
  problem: string;
  hint?: string;
}

/** Where project and region come from when not given as flags. ATLANTIS_RUN_* wins over gcloud's. */
export function overridesFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  return {
    project: env.ATLANTIS_RUN_PROJECT || env.CLOUDSDK_CORE_PROJECT || undefined,
    region: env.ATLANTIS_RUN_REGION || env.CLOUDSDK_RUN_REGION || undefined,
  };
}

export async function loadConfigFile(file: string, flags: ConfigOverrides, env: NodeJS.ProcessEnv): Promise<AtlantisRunConfig> {
  const configPath = path.resolve(file);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError('', `configuration file not found: ${file}`, {
        hint: 'run `atlantis-run init` to create one, or point --config at an existing file',
      });
    }
    throw new ConfigError('', `configuration file ${file} ${describeFsError(err)}`, {
      hint: 'point --config (or ATLANTIS_RUN_CONFIG) at a readable atlantis-run.yaml',
    });
  }
  return parseConfig(text, configPath, flags, env);
}

/** Parses and validates configuration text; throws ConfigError naming the first bad field. */
export async function parseConfig(
  text: string,
  configPath: string,
  flags: ConfigOverrides,
  env: NodeJS.ProcessEnv,
): Promise<AtlantisRunConfig> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const fileLabel = path.basename(configPath);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const at = first.linePos?.[0] ? `${fileLabel}:${first.linePos[0].line}:${first.linePos[0].col}` : fileLabel;
    throw new ConfigError('', `${at}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch {
    // An alias bomb ("billion laughs"): the yaml library stops expanding it.
    throw new ConfigError('', `${fileLabel}: expands too many aliases (*anchor references) to be a configuration file`, {
      hint: 'write the repeated settings out, or use fewer aliases',
    });
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('', `${fileLabel}: expected a mapping of settings at the top level`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw issuesToError(parsed.error.issues.map((issue) => describeIssue(issue, raw)));

  const fromEnv = overridesFromEnv(env);
  const merged = {
    ...parsed.data,
    project: flags.project ?? fromEnv.project ?? parsed.data.project,
    region: flags.region ?? fromEnv.region ?? parsed.data.region,
  };
  const issues = validateConfig(merged);
  if (issues.length > 0) throw issuesToError(issues);
  const project = merged.project!;
  const region = merged.region!;
  return {
    ...merged,
    project,
    region,
    configPath,
    configDir: path.dirname(configPath),
    names: resourceNames({
      project,
      region,
      service: merged.service,
      serviceAccountId: merged.serviceAccount.id,
      repositoryId: merged.image.strategy !== 'reference' ? merged.image.repository : undefined,
      ...(merged.image.strategy === 'build'
        ? { buildRepositoryId: merged.image.buildRepository, buildServiceAccountId: merged.image.serviceAccount.id }
        : {}),
    }),
  };
}

export function issuesToError(issues: ConfigIssue[]): ConfigError {
  const [first, ...rest] = issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  const error = new ConfigError(first.path, `${first.problem}${more}`, first.hint ? { hint: first.hint } : {});
  (error as ConfigError & { issues: ConfigIssue[] }).issues = issues;
  return error;
}

function dotted(pathParts: readonly PropertyKey[]): string {
  return pathParts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

// Turns a schema issue into "path: problem" wording a platform engineer can act on.
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue {
  const where = dotted(issue.path);
  switch (issue.code) {
    case 'invalid_union': {
      const union = issue as z.core.$ZodIssueInvalidUnion & { discriminator?: string; options?: unknown[] };
      if (union.discriminator && Array.isArray(union.options)) {
        return oneOf(where, union.options.map(String), valueAt(raw, issue.path));
      }
      return { path: where, problem: 'expected {fromEnv: VARIABLE} or {fromFile: path}' };
    }
    case 'invalid_value':
      return oneOf(where, issue.values.map(String), valueAt(raw, issue.path));
    case 'invalid_type':
      if (valueAt(raw, issue.path) === undefined) return { path: where, problem: 'is required' };
      return { path: where, problem: `expected ${issue.expected}` };
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      const known = knownKeysAt(issue.path);
      const guess = closest(key, known);
      return {
        path: where ? `${where}.${key}` : key,
        problem: 'unknown setting',
        hint: guess ? `did you mean ${guess}?` : known.length ? `valid settings here: ${known.join(', ')}` : undefined,
      };
    }
    default:
      return { path: where, problem: issue.message };
  }
}

/** "expected one of a, b, c", and for a near miss "did you mean b?" (as the --vcs flag answers). */
function oneOf(where: string, options: string[], given: unknown): ConfigIssue {
  const problem = `${typeof given === 'string' ? `"${given}": ` : ''}expected one of ${options.join(', ')}`;
  const guess = typeof given === 'string' ? closest(given, options) : undefined;
  return guess ? { path: where, problem, hint: `did you mean ${guess}?` } : { path: where, problem };
}

function valueAt(raw: unknown, pathParts: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of pathParts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

// The keys the schema accepts at a path, for "did you mean" on unknown keys.
function knownKeysAt(pathParts: readonly PropertyKey[]): string[] {
  let schema: unknown = configSchema;
  for (const part of pathParts) {
    const shape = shapeOf(schema);
    if (!shape || typeof part !== 'string') return [];
    schema = shape[part];
  }
  return Object.keys(shapeOf(schema) ?? {});
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown; options?: unknown[] } } } | undefined;
  // Unwrap defaults/optionals; for a discriminated union merge the shapes of its options.
  for (let i = 0; i < 5 && s && !s.shape; i++) {
    const def = s._zod?.def;
    if (def?.innerType) s = def.innerType;
    else if (def?.options) {
      return Object.assign({}, ...def.options.map((o) => shapeOf(o) ?? {})) as Record<string, unknown>;
    } else break;
  }
  return s?.shape;
}
