// Proto descriptors, loaded from the `build/protos/*.json` files the client packages ship (so the
// emulator always speaks exactly the schema the installed clients speak). Each file is loaded on
// first use and cached for the life of the process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import type { Method, Root, Service, Type, Enum } from 'protobufjs';

const requireFromHere = createRequire(import.meta.url);
const loadedRoots = new Map<string, Root>();

/** The directory of an installed package, found from its main entry (some packages have restrictive `exports`). */
function packageDirectory(packageName: string): string {
  let dir = path.dirname(requireFromHere.resolve(packageName));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === packageName) return dir;
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the directory of package ${packageName}`);
    dir = parent;
  }
}

/** Loads `<package>/<relativeFile>` (a protobufjs JSON descriptor) once per process. */
export function loadProtoFile(packageName: string, relativeFile = 'build/protos/protos.json'): Root {
  const key = `${packageName}:${relativeFile}`;
  let root = loadedRoots.get(key);
  if (!root) {
    const file = path.join(packageDirectory(packageName), relativeFile);
    root = protobuf.Root.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as protobuf.INamespace);
    root.resolveAll();
    loadedRoots.set(key, root);
  }
  return root;
}

/** google.rpc.Status and the error detail messages (ErrorInfo, BadRequest, …), as google-gax decodes them. */
export function loadStatusProtos(): Root {
  return loadProtoFile('google-gax', 'build/protos/status.json');
}

/** google.longrunning.Operations, shared by every API that has long-running operations. */
export function loadOperationsProtos(): Root {
  return loadProtoFile('google-gax', 'build/protos/operations.json');
}

/**
 * Finds message types by full name across every loaded root. Each package's descriptor file is
 * self-contained, so they are kept apart (merging would clash on the shared google.* types) and
 * searched in order; this is what resolves `Any` type URLs and error details.
 */
export class TypeRegistry {
  private readonly roots: Root[] = [];

  add(root: Root): void {
    if (!this.roots.includes(root)) this.roots.push(root);
  }

  findType(fullName: string): Type | undefined {
    const name = fullName.replace(/^\./, '');
    for (const root of this.roots) {
      const found = root.lookup(name);
      if (found instanceof protobuf.Type) return found;
    }
    return undefined;
  }

  findService(fullName: string): Service | undefined {
    const name = fullName.replace(/^\./, '');
    for (const root of this.roots) {
      const found = root.lookup(name);
      if (found instanceof protobuf.Service) return found;
    }
    return undefined;
  }
}

export function isEnum(value: unknown): value is Enum {
  return value instanceof protobuf.Enum;
}

export function isMessageType(value: unknown): value is Type {
  return value instanceof protobuf.Type;
}

/** `.google.api.serviceusage.v1.ServiceUsage` → `google.api.serviceusage.v1.ServiceUsage`. */
export function fullNameOf(reflection: Type | Service | Enum): string {
  return reflection.fullName.replace(/^\./, '');
}

/** The `google.api.http` rules of a method: the main rule followed by its additional bindings. */
export interface HttpRule {
  verb: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: string;
}

interface RawHttpRule {
  get?: string;
  post?: string;
  put?: string;
  patch?: string;
  delete?: string;
  body?: string;
  additional_bindings?: RawHttpRule | RawHttpRule[];
}

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function httpRulesOf(method: Method): HttpRule[] {
  const rules: HttpRule[] = [];
  const add = (raw: RawHttpRule): void => {
    for (const verb of HTTP_VERBS) {
      const template = raw[verb];
      if (typeof template === 'string') {
        rules.push({ verb: verb.toUpperCase() as HttpRule['verb'], path: template, ...(raw.body ? { body: raw.body } : {}) });
      }
    }
    const more = raw.additional_bindings;
    if (more) for (const binding of Array.isArray(more) ? more : [more]) add(binding);
  };
  for (const option of method.parsedOptions ?? []) {
    const raw = (option as Record<string, unknown>)['(google.api.http)'];
    if (raw && typeof raw === 'object') add(raw);
  }
  return rules;
}
