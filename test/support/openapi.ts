// Checks HTTP requests and responses against a published API description — OpenAPI 3.0 (GitHub's,
// from @octokit/openapi) or Swagger 2.0 (GitLab's and Gitea's format) — with Ajv: the operation must
// exist for the method and path, path and query parameters must be declared and typed, the JSON body
// must match the schema (required fields, types, enums), and — stricter than the servers themselves,
// which ignore what they do not know — a body field or query parameter the description does not
// declare is an error too: a misspelt field would otherwise be silently dropped by the real API.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type AddFormats = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS: under ESM its function is the default export's `default`, or the default itself.
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/** A JSON object of the description, walked by key. */
type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface Operation {
  method: string;
  template: string;
  operationId: string | undefined;
  pathParams: Map<string, Json>;
  queryParams: Map<string, Json>;
  body: { required: boolean; pointer: string } | undefined;
  /** status → JSON pointer of the response schema (undefined: no body). */
  responses: Map<string, string | undefined>;
}

export interface Matched {
  op: Operation;
  params: Record<string, string>;
}

const escapePointer = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));

export class ApiDescription {
  readonly version: 'openapi3' | 'swagger2';
  private readonly ajv: Ajv;
  private readonly operations: { regex: RegExp; names: string[]; op: Operation }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  /** `basePath`: where the paths live on the server (GitHub Enterprise: /api/v3; Swagger 2 documents carry their own). */
  constructor(
    private readonly doc: Json,
    private readonly id: string,
    basePath?: string,
  ) {
    this.version = doc.openapi ? 'openapi3' : 'swagger2';
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(doc, id);
    const prefix = (basePath ?? (this.version === 'swagger2' ? (str(doc.basePath) ?? '') : '')).replace(/\/+$/, '');
    for (const [template, item] of Object.entries(obj(doc.paths) ?? {})) {
      for (const [method, raw] of Object.entries(obj(item) ?? {})) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const op = this.operation(template, method, obj(raw) ?? {}, arr(obj(item)?.parameters));
        const names: string[] = [];
        const regex = new RegExp(
          '^' +
            (prefix + template).replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
              names.push(name);
              return '([^/]+)';
            }) +
            '/?$',
        );
        this.operations.push({ regex, names, op });
      }
    }
  }

  /** Resolves a local `$ref` (`#/components/…`, `#/definitions/…`, `#/responses/…`). */
  resolve(node: unknown): Json | undefined {
    let current = obj(node);
    for (let i = 0; current && typeof current.$ref === 'string' && i < 20; i++) current = this.at(current.$ref.slice(1));
    return current;
  }

  private at(pointer: string): Json | undefined {
    let node: unknown = this.doc;
    for (const raw of pointer.split('/').slice(1)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = Array.isArray(node) ? (node as unknown[])[Number(key)] : obj(node)?.[key];
    }
    return obj(node);
  }

  private operation(template: string, method: string, raw: Json, shared: Json[]): Operation {
    const pointer = `/paths/${escapePointer(template)}/${method}`;
    const own = arr(raw.parameters);
    const params = [...shared, ...own].map((p) => this.resolve(p) ?? {});
    const op: Operation = {
      method: method.toUpperCase(),
      template,
      operationId: str(raw.operationId),
      pathParams: new Map(),
      queryParams: new Map(),
      body: undefined,
      responses: new Map(),
    };
    params.forEach((p) => {
      const schema = obj(p.schema) ?? { type: p.type, ...(p.format ? { format: p.format } : {}), ...(p.enum ? { enum: p.enum } : {}) };
      const name = str(p.name) ?? '';
      if (p.in === 'path') op.pathParams.set(name, schema);
      if (p.in === 'query') op.queryParams.set(name, schema);
    });
    if (this.version === 'openapi3') {
      const rb = this.resolve(raw.requestBody);
      if (obj(rb?.content)?.['application/json']) {
        const ref = str(obj(raw.requestBody)?.$ref);
        const base = ref ? ref.slice(1) : `${pointer}/requestBody`;
        op.body = { required: Boolean(rb?.required), pointer: `${base}/content/application~1json/schema` };
      }
    } else {
      const index = own.findIndex((p) => this.resolve(p)?.in === 'body');
      if (index >= 0) op.body = { required: Boolean(this.resolve(own[index])?.required), pointer: `${pointer}/parameters/${index}/schema` };
      else if (shared.some((p) => this.resolve(p)?.in === 'body'))
        throw new Error(`${template}: body parameter at path level is not supported`);
    }
    for (const [status, response] of Object.entries(obj(raw.responses) ?? {})) {
      op.responses.set(status, this.responseSchemaPointer(obj(response) ?? {}, `${pointer}/responses/${status}`));
    }
    return op;
  }

  private responseSchemaPointer(response: Json, pointer: string): string | undefined {
    let where = pointer;
    let node: Json | undefined = response;
    for (let i = 0; node && typeof node.$ref === 'string' && i < 10; i++) {
      where = node.$ref.slice(1);
      node = this.at(where);
    }
    if (!node) return undefined;
    if (this.version === 'openapi3') {
      return obj(obj(obj(node.content)?.['application/json'])?.schema) ? `${where}/content/application~1json/schema` : undefined;
    }
    return obj(node.schema) ? `${where}/schema` : undefined;
  }

  match(method: string, pathname: string): Matched | undefined {
    for (const { regex, names, op } of this.operations) {
      if (op.method !== method) continue;
      const m = regex.exec(pathname);
      if (m) return { op, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
    }
    return undefined;
  }

  /** Every way the request departs from the description (empty: it conforms). */
  checkRequest(matched: Matched, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const { op, params } = matched;
    const problems: string[] = [];
    for (const [name, schema] of op.pathParams) problems.push(...this.checkScalar(`path parameter ${name}`, params[name], schema));
    for (const [name, value] of query) {
      const schema = op.queryParams.get(name);
      if (!schema) problems.push(`query parameter ${name} is not in the description of ${op.method} ${op.template}`);
      else problems.push(...this.checkScalar(`query parameter ${name}`, value, schema));
    }
    if (!op.body) {
      if (hasBody) problems.push(`${op.method} ${op.template} takes no request body`);
      return problems;
    }
    if (!hasBody) {
      if (op.body.required) problems.push(`${op.method} ${op.template} requires a JSON body`);
      return problems;
    }
    problems.push(...this.validate(op.body.pointer, body, 'request body'));
    problems.push(...this.undeclared(this.at(op.body.pointer), body, 'body'));
    return problems;
  }

  /** Problems with a response the server is about to send. `fallbackError`: schema pointer for undocumented error statuses. */
  checkResponse(op: Operation, status: number, body: unknown, fallbackError?: string): string[] {
    const key = op.responses.has(String(status)) ? String(status) : op.responses.has('default') ? 'default' : undefined;
    if (key === undefined) {
      if (status >= 400 && fallbackError) return this.validate(fallbackError, body, `${status} response`);
      return [`${op.method} ${op.template} does not describe status ${status}`];
    }
    const pointer = op.responses.get(key);
    if (pointer === undefined) {
      if (body === undefined) return [];
      // Descriptions often leave error bodies out (Gitea's notFound is "an empty response", yet Gitea
      // sends its APIError JSON): an error body is then checked against the provider's error schema.
      if (status >= 400 && fallbackError) return this.validate(fallbackError, body, `${status} response`);
      return [`${op.method} ${op.template} ${status} has no body in the description`];
    }
    return this.validate(pointer, body, `${status} response`);
  }

  private validate(pointer: string, value: unknown, what: string): string[] {
    let fn = this.compiled.get(pointer);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `${this.id}#${pointer}` });
      this.compiled.set(pointer, fn);
    }
    if (fn(value)) return [];
    return (fn.errors ?? []).map(
      (e) =>
        `${what}${e.instancePath || ''}: ${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`,
    );
  }

  private checkScalar(what: string, value: string | undefined, schema: Json): string[] {
    if (value === undefined) return [`${what} is missing`];
    const s = this.resolve(schema) ?? {};
    if (s.type === 'integer' && !/^-?\d+$/.test(value)) return [`${what} must be an integer, got "${value}"`];
    if (s.type === 'boolean' && !['true', 'false'].includes(value)) return [`${what} must be true or false`];
    const allowed = Array.isArray(s.enum) ? (s.enum as unknown[]).map(String) : undefined;
    if (allowed && !allowed.includes(value)) return [`${what} must be one of ${allowed.join(', ')}`];
    return [];
  }

  /** Body fields the description does not declare (objects with `properties` and no additionalProperties). */
  private undeclared(schemaNode: unknown, value: unknown, where: string): string[] {
    const schema = this.resolve(schemaNode);
    if (!schema || value === null || typeof value !== 'object') return [];
    if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => this.undeclared(schema.items, v, `${where}[${i}]`)) : [];
    const properties: Json = { ...(obj(schema.properties) ?? {}) };
    for (const part of arr(schema.allOf)) Object.assign(properties, obj(this.resolve(part)?.properties) ?? {});
    if (schema.oneOf || schema.anyOf) return [];
    const extra = schema.additionalProperties;
    const problems: string[] = [];
    for (const [key, v] of Object.entries(value as Json)) {
      if (key in properties) problems.push(...this.undeclared(properties[key], v, `${where}.${key}`));
      else if (extra && typeof extra === 'object') problems.push(...this.undeclared(extra, v, `${where}.${key}`));
      else if (extra !== true && Object.keys(properties).length > 0) problems.push(`${where}.${key} is not in the description`);
    }
    return problems;
  }
}
