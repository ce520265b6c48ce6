// A recipe's Dockerfile, generated from the templates in templates/image: FROM the configured
// Atlantis version through the ghcr.io proxy (by digest once resolved), as root one RUN per tool —
// download, check the SHA-256, install into /usr/local/bin, run it once — then back to USER
// atlantis. Tools are sorted by name, so the same recipe always gives the same text (and tag).
import { readFile } from 'node:fs/promises';
import { resolveTool, type ResolvedTool } from '../atlantis/tools.js';

const TEMPLATE_FILES = [
  'Dockerfile.recipe',
  'tool-binary.Dockerfile',
  'tool-archive.Dockerfile',
  'tool-gcloud.Dockerfile',
  'verify-pinned.sh',
  'verify-published.sh',
] as const;
export type RecipeTemplates = Record<(typeof TEMPLATE_FILES)[number], string>;

let loaded: Promise<RecipeTemplates> | undefined;

/** The template files shipped in templates/image (beside dist/ and src/ in the package). */
export function loadRecipeTemplates(): Promise<RecipeTemplates> {
  loaded ??= (async () => {
    const dir = new URL('../../templates/image/', import.meta.url);
    const texts = await Promise.all(TEMPLATE_FILES.map((name) => readFile(new URL(name, dir), 'utf8')));
    return Object.fromEntries(TEMPLATE_FILES.map((name, i) => [name, texts[i]])) as RecipeTemplates;
  })();
  return loaded;
}

export interface RecipeInputs {
  atlantisVersion: string;
  /** The base image reference, ideally with @sha256:… */
  base: string;
  tools: Record<string, string>;
  /** Downloads go to MIRROR/HOST/PATH instead of https://HOST/PATH. */
  mirror?: string | undefined;
}

export function resolveTools(tools: Record<string, string>): ResolvedTool[] {
  return Object.keys(tools)
    .sort()
    .map((name) => {
      const resolved = resolveTool(name, tools[name]);
      if (!resolved) throw new Error(`no recipe for ${name} ${tools[name]} (the configuration check should have refused it)`);
      return resolved;
    });
}

export function generateDockerfile(templates: RecipeTemplates, inputs: RecipeInputs): string {
  const tools = resolveTools(inputs.tools);
  const installs = tools.map((tool) => toolSnippet(templates, tool, inputs.mirror).trimEnd()).join('\n\n');
  return fill('Dockerfile.recipe', templates['Dockerfile.recipe'], {
    ATLANTIS_VERSION: inputs.atlantisVersion,
    TOOL_LIST: tools.map((t) => `${t.name} ${t.version}`).join(', '),
    BASE_IMAGE: inputs.base,
    INSTALLS: installs,
  });
}

function toolSnippet(templates: RecipeTemplates, tool: ResolvedTool, mirror: string | undefined): string {
  const { spec } = tool;
  const url = mirrored(spec.assetUrl(tool.version), mirror);
  const verify = tool.pinned
    ? fill('verify-pinned.sh', templates['verify-pinned.sh'], { SHA256: tool.pinned.sha256, ASSET: spec.assetFile })
    : fill('verify-published.sh', templates['verify-published.sh'], {
        CHECKSUMS_URL: mirrored(tool.checksumsUrl, mirror),
        ASSET: spec.assetFile,
      });
  const note = tool.pinned
    ? `SHA-256 pinned by atlantis-run (source: ${tool.pinned.source})`
    : `not pinned by atlantis-run: verified against the release's own checksum file`;
  const values: Record<string, string> = {
    NAME: spec.name,
    VERSION: tool.version,
    CHECKSUM_NOTE: note,
    ASSET: spec.assetFile,
    URL: url,
    VERIFY: verify.trimEnd(),
    SMOKE_TEST: spec.smokeTest,
  };
  if (spec.kind === 'binary') return fill('tool-binary.Dockerfile', templates['tool-binary.Dockerfile'], values);
  if (spec.kind === 'gcloud') return fill('tool-gcloud.Dockerfile', templates['tool-gcloud.Dockerfile'], values);
  return fill('tool-archive.Dockerfile', templates['tool-archive.Dockerfile'], {
    ...values,
    EXTRACT: spec.kind === 'zip' ? 'unzip -q' : 'tar -xzf',
    MEMBERS: (spec.members ?? [spec.name]).join(' '),
  });
}

function mirrored(url: string, mirror: string | undefined): string {
  return mirror ? `${mirror}/${url.replace(/^https:\/\//, '')}` : url;
}

const PLACEHOLDER = /@@([A-Z0-9_]+)@@/g;

function fill(name: string, template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${name}: no value for @@${key}@@`);
    return value;
  });
}
