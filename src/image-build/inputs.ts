// What determines a built image, its content-hash tag, and why a build is needed. The tag is a hash
// of everything that goes into the image — the generated Dockerfile (which names the base digest,
// the tool versions and their checksums) or the context's files plus the base digest — so an image
// with that tag in the repository is exactly the image the configuration asks for: no rebuild.
import { createHash } from 'node:crypto';
import type { DesiredBuild } from '../desired/index.js';
import { recordKey } from '../state/lockfile.js';
import { contextListing, fileHashes, type BuildContext } from './context.js';
import { generateDockerfile, type RecipeTemplates } from './recipe.js';

export interface BuildInputs {
  kind: 'recipe' | 'context';
  atlantisVersion: string;
  /** The base image by digest: REGION-docker.pkg.dev/P/PROXY/runatlantis/atlantis:VERSION@sha256:… */
  base: string;
  tools?: Record<string, string>;
  mirror?: string;
  /** The generated Dockerfile (recipes). */
  dockerfileText?: string;
  context?: BuildContext;
  hash: string;
  tag: string;
}

export interface BuildRecord {
  tag: string;
  digest: string;
  /** The image by digest, as the service runs it. */
  reference: string;
  kind: 'recipe' | 'context';
  builder: string;
  atlantisVersion: string;
  base: string;
  tools?: Record<string, string>;
  mirror?: string;
  dockerfile?: string;
  /** SHA-256 (first 16 hex digits) of each context file, up to MAX_RECORDED_FILES. */
  files?: Record<string, string>;
  buildId?: string;
}

export const BUILD_RECORD = recordKey<BuildRecord>('build');
const MAX_RECORDED_FILES = 500;

export function computeInputs(
  build: DesiredBuild,
  atlantisVersion: string,
  base: string,
  templates: RecipeTemplates,
  context: BuildContext | undefined,
): BuildInputs {
  const common = { atlantisVersion, base, ...(build.mirror ? { mirror: build.mirror } : {}) };
  if (build.kind === 'recipe') {
    const tools = build.tools ?? {};
    const dockerfileText = generateDockerfile(templates, { atlantisVersion, base, tools, mirror: build.mirror });
    const hash = sha256(`recipe\n${dockerfileText}`);
    return { kind: 'recipe', ...common, tools, dockerfileText, hash, tag: tagOf(atlantisVersion, hash) };
  }
  if (!context) throw new Error('a context build needs its context read');
  const hash = sha256(`context\nbase ${base}\ndockerfile ${context.dockerfile}\n${contextListing(context)}`);
  return { kind: 'context', ...common, context, hash, tag: tagOf(atlantisVersion, hash) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `v0.47.1-3f2a9c1b7e4d8a01`: readable, and a tag Docker accepts. */
function tagOf(version: string, hash: string): string {
  return `${version.slice(0, 100)}-${hash.slice(0, 16)}`;
}

/** The lockfile record of an image built (or found) for these inputs. */
export function buildRecordOf(
  inputs: BuildInputs,
  image: { digest: string; reference: string },
  builder: string,
  buildId?: string,
): BuildRecord {
  const files = inputs.context ? fileHashes(inputs.context) : undefined;
  return {
    tag: inputs.tag,
    digest: image.digest,
    reference: image.reference,
    kind: inputs.kind,
    builder,
    atlantisVersion: inputs.atlantisVersion,
    base: inputs.base,
    ...(inputs.tools ? { tools: inputs.tools } : {}),
    ...(inputs.mirror ? { mirror: inputs.mirror } : {}),
    ...(inputs.context ? { dockerfile: inputs.context.dockerfile } : {}),
    ...(files && Object.keys(files).length <= MAX_RECORDED_FILES
      ? { files: Object.fromEntries(Object.entries(files).map(([p, h]) => [p, h.slice(0, 16)])) }
      : {}),
    ...(buildId ? { buildId } : {}),
  };
}

const shortDigest = (ref: string) => (ref.split('@')[1] ?? ref).replace(/^sha256:/, '').slice(0, 12);

/** Why the image must be built, compared with the record of the last one: "terragrunt 0.67.16 → 0.68.1". */
export function rebuildReasons(previous: BuildRecord | undefined, inputs: BuildInputs): string[] {
  if (!previous) return [`no image built yet for ${describe(inputs)}`];
  if (previous.tag === inputs.tag) return [`image ${inputs.tag} is no longer in the repository`];
  const reasons: string[] = [];
  if (previous.atlantisVersion !== inputs.atlantisVersion) reasons.push(`atlantis ${previous.atlantisVersion} → ${inputs.atlantisVersion}`);
  else if (previous.base !== inputs.base)
    reasons.push(`base image ${inputs.atlantisVersion} moved: ${shortDigest(previous.base)} → ${shortDigest(inputs.base)}`);
  if (previous.kind !== inputs.kind) reasons.push(`${previous.kind} → ${inputs.kind}`);
  reasons.push(...toolReasons(previous.tools ?? {}, inputs.tools ?? {}));
  if ((previous.mirror ?? '') !== (inputs.mirror ?? '')) reasons.push('image.mirror changed');
  if (inputs.context) reasons.push(...contextReasons(previous, inputs.context));
  if (reasons.length === 0)
    reasons.push(inputs.kind === 'recipe' ? 'the generated Dockerfile changed (a newer atlantis-run)' : 'context changed');
  return reasons;
}

function describe(inputs: BuildInputs): string {
  const what = inputs.tools ? Object.entries(inputs.tools).map(([n, v]) => `${n} ${v}`) : [`context ${inputs.context?.dockerfile ?? ''}`];
  return `atlantis ${inputs.atlantisVersion} + ${what.join(', ')}`;
}

function toolReasons(before: Record<string, string>, after: Record<string, string>): string[] {
  const reasons: string[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const [old, now] = [before[name], after[name]];
    if (old === now) continue;
    reasons.push(old === undefined ? `+ ${name} ${now}` : now === undefined ? `- ${name} ${old}` : `${name} ${old} → ${now}`);
  }
  return reasons;
}

function contextReasons(previous: BuildRecord, context: BuildContext): string[] {
  if (previous.dockerfile !== undefined && previous.dockerfile !== context.dockerfile)
    return [`dockerfile ${previous.dockerfile} → ${context.dockerfile}`];
  if (!previous.files) return ['context changed'];
  const now = Object.fromEntries(Object.entries(fileHashes(context)).map(([p, h]) => [p, h.slice(0, 16)]));
  const changed = [...new Set([...Object.keys(previous.files), ...Object.keys(now)])].sort().filter((p) => previous.files![p] !== now[p]);
  if (changed.length === 0) return [];
  const shown = changed.slice(0, 5).join(', ');
  return [`context changed: ${shown}${changed.length > 5 ? ` (+${changed.length - 5} more)` : ''}`];
}
