// A google-gax instance for the generated clients that builds a gRPC service from only what it
// uses. google-gax turns a library's whole protos.json into gRPC definitions up front (every message
// of every service the library has, each with its descriptor) though a client calls one service;
// this builds the service a client asks for on first use, from the same JSON cut down to that service
// and the messages its methods reach, through the same google-gax, @grpc/proto-loader and grpc-js.
import gax from 'google-gax';
import { createRequire } from 'node:module';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/** The parts of protobuf.js's JSON form (protos.json in every client library) read here. */
export interface ProtoJson {
  nested?: Record<string, ProtoJson>;
  fields?: Record<string, { type: string; keyType?: string }>;
  values?: Record<string, unknown>;
  methods?: Record<string, { requestType: string; responseType: string }>;
  [key: string]: unknown;
}

type GrpcObject = ReturnType<InstanceType<typeof gax.GrpcClient>['loadProtoJSON']>;
type Path = readonly string[];

const SCALARS = new Set([
  'double',
  'float',
  'int32',
  'uint32',
  'sint32',
  'fixed32',
  'sfixed32',
  'int64',
  'uint64',
  'sint64',
  'fixed64',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

const isType = (node: ProtoJson): boolean => node.fields !== undefined || node.values !== undefined;
const isService = (node: ProtoJson): boolean => node.methods !== undefined;

function nodeAt(root: ProtoJson, path: Path): ProtoJson | undefined {
  let node: ProtoJson | undefined = root;
  for (const part of path) node = node?.nested?.[part];
  return node;
}

/**
 * Protobuf name resolution: a name relative to a scope is looked for in that scope, then in each
 * enclosing one; a leading dot makes it absolute. Returns the path of the definition found.
 */
export function resolveName(root: ProtoJson, scope: Path, name: string): Path | undefined {
  const parts = name.split('.');
  if (parts[0] === '') return nodeAt(root, parts.slice(1)) ? parts.slice(1) : undefined;
  // The namespaces along the scope, walked once; a path is made only for the definition found
  // (this runs for every field of every message a client's service reaches).
  // Index loops: an array iterator allocates on every step until V8 optimises the function.
  const chain: (ProtoJson | undefined)[] = [root];
  for (let i = 0; i < scope.length; i++) chain.push(chain[i]?.nested?.[scope[i]]);
  for (let depth = scope.length; depth >= 0; depth--) {
    let node = chain[depth];
    for (let i = 0; i < parts.length && node; i++) node = node.nested?.[parts[i]];
    if (node) return scope.slice(0, depth).concat(parts);
  }
  return undefined;
}

/** The outermost message or enum on `path`: nested messages travel with the message that holds them. */
function outermostType(root: ProtoJson, path: Path): Path {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    node = node.nested![path[i]]!;
    if (isType(node)) return path.slice(0, i + 1);
  }
  return path;
}

/** Calls `visit` with every field type of a message and of the messages nested in it, and the scope it resolves in. */
function eachFieldType(node: ProtoJson, scope: Path, visit: (scope: Path, type: string) => boolean): boolean {
  for (const name in node.fields) if (!visit(scope, node.fields[name].type)) return false;
  for (const name in node.nested) if (!eachFieldType(node.nested[name], [...scope, name], visit)) return false;
  return true;
}

/**
 * The JSON of the definitions at `starts` (a service or a message) and of every message and enum
 * they reach, transitively, laid out in the same namespaces (with their options) as in `root`.
 * Undefined when a name does not resolve: the caller then loads everything, as google-gax would.
 */
export function subsetOf(root: ProtoJson, start: Path): ProtoJson | undefined {
  const node = nodeAt(root, start);
  if (!node || !(isService(node) || isType(node))) return undefined;
  const kept = new Map<string, Path>();
  const queue: Path[] = [];
  const need = (scope: Path, name: string): boolean => {
    if (SCALARS.has(name)) return true;
    const found = resolveName(root, scope, name);
    if (!found) return false;
    const type = outermostType(root, found);
    const key = type.join('.');
    if (!kept.has(key)) {
      kept.set(key, type);
      queue.push(type);
    }
    return true;
  };
  if (isService(node)) {
    const scope = start.slice(0, -1);
    for (const method of Object.values(node.methods!)) {
      if (!need(scope, method.requestType) || !need(scope, method.responseType)) return undefined;
    }
  } else {
    need([], `.${start.join('.')}`);
  }
  for (let type = queue.shift(); type; type = queue.shift()) {
    if (!eachFieldType(nodeAt(root, type)!, type, need)) return undefined;
  }
  const subset: ProtoJson = {};
  for (const path of kept.values()) place(root, subset, path);
  if (isService(node)) place(root, subset, start);
  return subset;
}

/** Copies the definition at `path` into `subset`, creating its namespaces (options and all, nothing nested). */
function place(root: ProtoJson, subset: ProtoJson, path: Path): void {
  let from = root;
  let to = subset;
  path.forEach((part, i) => {
    from = from.nested![part]!;
    to.nested ??= {};
    if (i === path.length - 1) {
      to.nested[part] = from;
      return;
    }
    if (!to.nested[part]) {
      const { nested: _nested, ...namespace } = from;
      to.nested[part] = namespace;
    }
    to = to.nested[part];
  });
}

/** Whether a namespace holds anything @grpc/proto-loader makes a definition for (message, enum, service). */
function hasDefinitions(node: ProtoJson): boolean {
  return Object.values(node.nested ?? {}).some((child) => isType(child) || isService(child) || hasDefinitions(child));
}

/**
 * The object google-gax's loadProtoJSON returns (namespaces → gRPC service constructors and message
 * definitions), with every definition built when first read: a service from its subset, anything
 * else from the whole JSON, exactly as google-gax would have built it.
 */
export function lazyPackage(json: ProtoJson, load: (json: ProtoJson) => GrpcObject): GrpcObject {
  let whole: GrpcObject | undefined;
  const pick = (pkg: GrpcObject, path: Path): unknown =>
    path.reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], pkg);
  const build = (node: ProtoJson, path: Path): Record<string, unknown> => {
    const namespace: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(node.nested ?? {})) {
      const childPath = [...path, name];
      if (isService(child) || isType(child)) {
        Object.defineProperty(namespace, name, {
          enumerable: true,
          configurable: true,
          get() {
            const subset = isService(child) ? subsetOf(json, childPath) : undefined;
            const value = pick(subset ? load(subset) : (whole ??= load(json)), childPath);
            Object.defineProperty(namespace, name, { value, enumerable: true, configurable: true, writable: true });
            return value;
          },
        });
      } else if (hasDefinitions(child)) {
        // A namespace too is built when first read: a client reads one path down the tree.
        Object.defineProperty(namespace, name, {
          enumerable: true,
          configurable: true,
          get() {
            const value = build(child, childPath);
            Object.defineProperty(namespace, name, { value, enumerable: true, configurable: true, writable: true });
            return value;
          },
        });
      }
    }
    return namespace;
  };
  return build(json, []) as GrpcObject;
}

type Root = ReturnType<typeof gax.protobufFromJSON>;

/**
 * A stand-in for `target()`: every property read, check or listing goes to the real object, built
 * on first use. `own` answers some properties itself without building it.
 */
function deferred<T extends object>(target: () => T, own: (prop: string | symbol) => unknown): T {
  const real = (): T => target();
  return new Proxy(Object.create(null) as T, {
    get(_, prop) {
      const mine = own(prop);
      if (mine !== undefined) return mine;
      const value: unknown = Reflect.get(real(), prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real()) : value;
    },
    set: (_, prop, value) => Reflect.set(real(), prop, value),
    has: (_, prop) => Reflect.has(real(), prop),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, prop) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), prop);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}

/** A method protobuf.js's Type has (decode, encode, toObject…), found without building anything. */
function typeMethod(prop: string | symbol): boolean {
  for (let proto: object | null = gax.protobuf.Type.prototype; proto; proto = Reflect.getPrototypeOf(proto)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(proto, prop);
    if (descriptor) return typeof descriptor.value === 'function';
  }
  return false;
}

/**
 * What a generated client gets from protobufFromJSON on a gRPC run. It looks up the messages its
 * long-running operations return and keeps their decode functions, to use when an operation ends:
 * each such message is built from its subset when first decoded, and anything else a client might
 * ask of the root is answered by the whole root, built then (google-gax's own protobufFromJSON).
 */
export function lazyRoot(json: ProtoJson, ignoreCache = false): Root {
  let whole: Root | undefined;
  const full = (): Root => (whole ??= gax.protobufFromJSON(json, ignoreCache));
  const lookup = (...args: unknown[]): unknown => {
    const [name] = args;
    const path = typeof name === 'string' && args.length === 1 && name.startsWith('.') ? name.slice(1).split('.') : undefined;
    // Messages only: an enum, a service or a namespace comes from the whole root.
    const subset = path && nodeAt(json, path)?.fields ? subsetOf(json, path) : undefined;
    if (!subset) return (full().lookup as (...a: unknown[]) => unknown)(...args);
    let type: object | undefined;
    const real = (): object => (type ??= gax.protobufFromJSON(subset, ignoreCache).lookup(name as string)!);
    return deferred(real, (prop) =>
      typeMethod(prop) ? (...a: unknown[]) => (Reflect.get(real(), prop) as (...b: unknown[]) => unknown).apply(real(), a) : undefined,
    );
  };
  return deferred(full, (prop) => (prop === 'lookup' ? lookup : undefined));
}

// One lazy package per protos JSON (a library's protos.json is one object shared by its clients),
// as google-gax keeps one gRPC package per JSON (its protoCache): every client of a library then
// shares the services built so far.
const packages = new WeakMap<object, GrpcObject>();

type PackageDefinition = Parameters<typeof gax.grpc.loadPackageDefinition>[0];
type Reflected = InstanceType<typeof gax.protobuf.Type>;
type Described = { $type: { toObject(message: unknown, options: object): unknown } };
type Reflection = { toDescriptor(syntax: string): Described };

// What @grpc/proto-loader converts a descriptor with (its descriptorOptions).
const DESCRIPTOR_OPTIONS = { longs: String, enums: String, bytes: String, defaults: true, oneofs: true, json: true };

/** Defines `name` on `target` as computed on first read, then kept. */
function lazyField(target: object, name: string, compute: () => unknown): void {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(target, name, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
  });
}

let camelCase: ((name: string) => string) | undefined;
/** The camelCase @grpc/proto-loader names methods with (lodash's), from where proto-loader loads it. */
function methodName(name: string): string {
  if (!camelCase) {
    const require = createRequire(import.meta.url);
    const loader = createRequire(require.resolve('google-gax')).resolve('@grpc/proto-loader');
    camelCase = createRequire(loader)('lodash.camelcase') as (name: string) => string;
  }
  return camelCase(name);
}

/**
 * The package definition @grpc/proto-loader's fromJSON makes, with google-gax's options: the same
 * services, methods, serializers and deserializers. What only gRPC reflection reads — each
 * message's DescriptorProto and the encoded FileDescriptorProtos of the whole package, which
 * proto-loader builds for every message up front — is built on first read; types are resolved as
 * they are first used.
 */
export function packageDefinition(json: ProtoJson): PackageDefinition {
  const { protobuf } = gax;
  // Root.fromJSON, without the resolveAll() it ends with (proto-loader's fromJSON resolves all again):
  // a message's fields are resolved when its encoder or decoder is first generated (protobuf.js's
  // Type.setup), so only what a run sends and receives gets resolved. Reflection, below, resolves
  // everything first, to describe it as before.
  const root = new protobuf.Root();
  if (json.options) root.setOptions(json.options);
  root.addJSON(json.nested ?? {});
  let resolved = false;
  const resolveAll = () => {
    if (!resolved) root.resolveAll();
    resolved = true;
  };
  // google-gax's proto-loader options (keepCase false, longs and enums as strings, defaults, oneofs).
  const options = (gax.GrpcClient as unknown as { defaultOptions(): object }).defaultOptions();
  let files: Buffer[] | undefined;
  const fileDescriptors = (): Buffer[] => {
    if (!files) {
      resolveAll();
      const { file } = (root as unknown as Reflection).toDescriptor('proto3') as unknown as { file: object[] };
      files = file.map((f) => Buffer.from(descriptor.FileDescriptorProto.encode(f as never).finish()));
    }
    return files;
  };
  const describe = (reflected: object): unknown => {
    resolveAll();
    const d = (reflected as Reflection).toDescriptor('proto3');
    return d.$type.toObject(d, DESCRIPTOR_OPTIONS);
  };
  const message = (type: Reflected): object => {
    const def = {
      format: 'Protocol Buffer 3 DescriptorProto',
      serialize: (arg: unknown) => {
        if (Array.isArray(arg))
          throw new Error(`Failed to serialize message: expected object with ${type.name} structure, got array instead`);
        return type.encode(type.fromObject(arg as Record<string, unknown>)).finish();
      },
      deserialize: (buf: Buffer) => type.toObject(type.decode(buf), options),
    };
    lazyField(def, 'type', () => describe(type));
    lazyField(def, 'fileDescriptorProtos', fileDescriptors);
    return def;
  };
  const def: Record<string, object> = {};
  const visit = (obj: InstanceType<typeof protobuf.ReflectionObject>, prefix: string): void => {
    const name = prefix ? `${prefix}.${obj.name}` : obj.name;
    if (obj instanceof protobuf.Service) {
      const service: Record<string, object> = {};
      for (const method of obj.methodsArray) {
        method.resolve();
        const request = method.resolvedRequestType!;
        const response = method.resolvedResponseType!;
        const requestDef = message(request) as { serialize: unknown; deserialize: unknown };
        const responseDef = message(response) as { serialize: unknown; deserialize: unknown };
        service[method.name] = {
          path: `/${name}/${method.name}`,
          requestStream: !!method.requestStream,
          responseStream: !!method.responseStream,
          requestSerialize: requestDef.serialize,
          requestDeserialize: requestDef.deserialize,
          responseSerialize: responseDef.serialize,
          responseDeserialize: responseDef.deserialize,
          originalName: methodName(method.name),
          requestType: requestDef,
          responseType: responseDef,
          options: methodOptions(method.parsedOptions as Record<string, unknown>[] | undefined),
        };
      }
      def[name] = service;
    } else if (obj instanceof protobuf.Type) {
      def[name] = message(obj);
    } else if (obj instanceof protobuf.Enum) {
      const enumDef = { format: 'Protocol Buffer 3 EnumDescriptorProto' };
      lazyField(enumDef, 'type', () => describe(obj));
      lazyField(enumDef, 'fileDescriptorProtos', fileDescriptors);
      def[name] = enumDef;
    } else if (obj instanceof protobuf.Namespace) {
      for (const child of obj.nestedArray) visit(child, obj instanceof protobuf.Root ? '' : name);
    }
  };
  visit(root, '');
  return def as PackageDefinition;
}

/**
 * protobuf.js's Type.setup generates, the first time any of them is called, all five functions of a
 * message type — encode, decode, verify, fromObject, toObject (code built as text, then compiled
 * with `new Function`, which no code cache keeps). A gRPC call uses two per type: a request's
 * fromObject then encode, a response's decode then toObject. Here each is generated when it is first
 * called, from the same generators with the same scope, so a run builds about two fifths of that
 * code. Types protobuf.js wraps (google.protobuf.Any) keep the original, eager setup.
 */
function generateOnFirstCall(protobuf: typeof gax.protobuf): void {
  type Generated = (...args: unknown[]) => unknown;
  type Generator = (type: object) => (scope: object) => Generated;
  const pb = protobuf as unknown as {
    Type: { prototype: Record<string, unknown> & { setup: (this: LazyType) => LazyType } };
    encoder: Generator;
    decoder: Generator;
    verifier: Generator;
    converter: { fromObject: Generator; toObject: Generator };
    wrappers: Record<string, unknown>;
    Writer: unknown;
    Reader: unknown;
    util: unknown;
  };
  interface LazyType {
    fullName: string;
    fieldsArray: { resolve(): { resolvedType: unknown } }[];
    [name: string]: unknown;
  }
  const original = pb.Type.prototype.setup;
  if ((original as { onFirstCall?: boolean }).onFirstCall) return;
  const { Writer, Reader, util } = pb;
  // The original's generators and scopes, one per function.
  const generators: Record<string, (type: LazyType, types: unknown[]) => Generated> = {
    encode: (type, types) => pb.encoder(type)({ Writer, types, util }),
    decode: (type, types) => pb.decoder(type)({ Reader, types, util }),
    verify: (type, types) => pb.verifier(type)({ types, util }),
    fromObject: (type, types) => pb.converter.fromObject(type)({ types, util }),
    toObject: (type, types) => pb.converter.toObject(type)({ types, util }),
  };
  const install = (type: LazyType): void => {
    let types: unknown[] | undefined;
    // Resolved in field order, as the original does, when the first function is generated.
    const resolved = () => (types ??= type.fieldsArray.map((field) => field.resolve().resolvedType));
    for (const [name, generate] of Object.entries(generators)) {
      type[name] = function (this: unknown, ...args: unknown[]) {
        const generated = generate(type, resolved());
        type[name] = generated;
        return generated.apply(this, args);
      };
    }
  };
  const setup = function setup(this: LazyType): LazyType {
    if (pb.wrappers[this.fullName]) return original.call(this);
    // Called again through a method read before the first setup (`type.encode(type.fromObject(x))`
    // reads encode first): what is there stays. protobuf.js's clearCache (fields changed) deletes
    // some of them: then all are made again, as the original does.
    if (!Object.keys(generators).every((name) => Object.hasOwn(this, name))) install(this);
    return this;
  };
  // `original` for test/unit/lazy-protos.test.ts, which compares both.
  pb.Type.prototype.setup = Object.assign(setup, { onFirstCall: true, original });
}
generateOnFirstCall(gax.protobuf);

/** A method's options as proto-loader gives them (its mapMethodOptions). */
function methodOptions(parsed: Record<string, unknown>[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> & { uninterpreted_option: unknown[] } = {
    deprecated: false,
    idempotency_level: 'IDEMPOTENCY_UNKNOWN',
    uninterpreted_option: [],
  };
  for (const item of parsed ?? []) {
    for (const [key, value] of Object.entries(item)) {
      if (key === 'uninterpreted_option') result.uninterpreted_option.push(item.uninterpreted_option);
      else result[key] = value;
    }
  }
  return result;
}

/** gax's gRPC client (channels, credentials, stubs: all its own) with the lazy package loading. */
class LazyGrpcClient extends gax.GrpcClient {
  override loadProtoJSON(json: Parameters<InstanceType<typeof gax.GrpcClient>['loadProtoJSON']>[0], ignoreCache = false): GrpcObject {
    const cached = ignoreCache ? undefined : packages.get(json);
    if (cached) return cached;
    const pkg = lazyPackage(json as ProtoJson, (part) => this.grpc.loadPackageDefinition(packageDefinition(part)));
    if (!ignoreCache) packages.set(json, pkg);
    return pkg;
  }
}

let operationsJson: ProtoJson | undefined;
/**
 * google-gax's own google.longrunning protos, the JSON its lro() loads. Its package exports do not
 * name the file, so it is read from the installed google-gax, as google-gax itself reads it.
 */
function operationsProtos(): ProtoJson {
  const require = createRequire(import.meta.url);
  operationsJson ??= createRequire(require.resolve('google-gax'))('../protos/operations.json') as ProtoJson;
  return operationsJson;
}

type Lro = typeof gax.lro;
/**
 * google-gax's lro() (what a generated client calls for its long-running operations client on a
 * gRPC run), with the lazy GrpcClient: gax's own builds every message of google.longrunning, and
 * their descriptors, for each client that has long-running methods, before any call is made.
 */
const lazyLro = Object.assign(
  (options: Parameters<Lro>[0]) => {
    const gaxGrpc = new LazyGrpcClient({ scopes: gax.lro.ALL_SCOPES, ...options });
    const protos = gaxGrpc.loadProtoJSON(operationsProtos());
    const operationsClient = (opts: ConstructorParameters<typeof gax.OperationsClient>[2] = {}) => {
      if (gaxGrpc.fallback && !opts.fallback) opts.fallback = gaxGrpc.fallback;
      return new gax.OperationsClient(gaxGrpc, protos, opts);
    };
    return { operationsClient: Object.assign(operationsClient, gax.OperationsClient) };
  },
  { SERVICE_ADDRESS: gax.lro.SERVICE_ADDRESS, ALL_SCOPES: gax.lro.ALL_SCOPES },
) as unknown as Lro;

/**
 * What a generated client's second constructor argument takes: google-gax itself, with the lazy
 * GrpcClient and lro(). The REST transport (`gax.fallback`) is google-gax's own, untouched.
 */
export const lazyGax: typeof gax = Object.create(gax, {
  GrpcClient: { value: LazyGrpcClient, enumerable: true },
  lro: { value: lazyLro, enumerable: true },
  protobufFromJSON: { value: lazyRoot, enumerable: true },
}) as typeof gax;
