// Edits of atlantis-run.yaml that keep the user's file as it is — comments, order, quoting, blank
// lines — and change only the one value: the value's text is replaced where the YAML Document API
// says it is, or a line is added under its parent. The result is checked to mean exactly the old
// file with the one value changed.
import type { Document, Node, Pair, Scalar } from 'yaml';
import { ConfigError } from '../errors.js';

/** The file's text with `atlantis.version` set to `version` (added under `atlantis:` when absent). */
export async function setAtlantisVersion(text: string, version: string): Promise<string> {
  const yaml = await import('yaml');
  const doc = yaml.parseDocument(text);
  if (doc.errors.length > 0)
    throw new ConfigError('', `cannot edit the configuration: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const edited = replaceValue(doc, text, version, yaml) ?? insertUnderAtlantis(doc, text, version, yaml) ?? viaDocument(doc, version);
  checkEdit(yaml.parse(text) as unknown, yaml.parse(edited) as unknown, version);
  return edited;
}

type Yaml = typeof import('yaml');

/** The scalar's text in the style it was written in (a plain scalar that would read as something else gets quotes). */
function scalarText(style: Scalar['type'], value: string, yaml: Yaml): string {
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return yaml.parse(value) === value ? value : JSON.stringify(value);
}

/** `atlantis.version` already there: replace its text where it stands. */
function replaceValue(doc: Document, text: string, version: string, yaml: Yaml): string | undefined {
  const node = doc.getIn(['atlantis', 'version'], true) as Node | undefined;
  if (!node || !yaml.isScalar(node) || !node.range) return undefined;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return undefined;
  const [start, end] = node.range;
  return `${text.slice(0, start)}${scalarText(node.type, version, yaml)}${text.slice(end)}`;
}

/** `atlantis:` is a block mapping without `version`: add `version: …` as its first line, indented like its keys. */
function insertUnderAtlantis(doc: Document, text: string, version: string, yaml: Yaml): string | undefined {
  const atlantis = doc.get('atlantis', true) as Node | undefined;
  if (!yaml.isMap(atlantis) || atlantis.flow) return undefined;
  const first = atlantis.items[0] as Pair<Node, Node> | undefined;
  const keyStart = first?.key?.range?.[0];
  if (keyStart === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = text.slice(lineStart, keyStart);
  if (!/^[ ]+$/.test(indent)) return undefined;
  return `${text.slice(0, lineStart)}${indent}version: ${scalarText('PLAIN', version, yaml)}\n${text.slice(lineStart)}`;
}

/** Anything else (a flow mapping): let the Document API set it and print the file (comments are kept). */
function viaDocument(doc: Document, version: string): string {
  doc.setIn(['atlantis', 'version'], version);
  return doc.toString();
}

/** The edit must change `atlantis.version` and nothing else. */
function checkEdit(before: unknown, after: unknown, version: string): void {
  const strip = (value: unknown): unknown => {
    const copy = structuredClone(value) as { atlantis?: Record<string, unknown> } | null;
    if (copy?.atlantis) delete copy.atlantis.version;
    return copy;
  };
  const changed = (after as { atlantis?: { version?: unknown } } | null)?.atlantis?.version;
  if (changed !== version || JSON.stringify(strip(before)) !== JSON.stringify(strip(after))) {
    throw new ConfigError('atlantis.version', `could not be changed to ${version} without touching the rest of the file`, {
      hint: `set atlantis.version: ${version} in the file by hand, then run \`atlantis-run deploy\``,
    });
  }
}
