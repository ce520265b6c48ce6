// The lazy google-gax (src/gcp/lazy-protos.ts) must hand grpc-js the same package definitions
// @grpc/proto-loader makes: same services, methods, paths, names, options and wire format, and the
// same reflection descriptors when they are read.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { packageDefinition, subsetOf, type ProtoJson } from '../../src/gcp/lazy-protos.js';

const require = createRequire(import.meta.url);
const gaxRequire = createRequire(require.resolve('google-gax'));
const protoLoader = gaxRequire('@grpc/proto-loader') as { fromJSON(json: object, options: object): Record<string, unknown> };
const GAX_OPTIONS = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

const LIBRARIES: [string, string[]][] = [
  ['@google-cloud/run/build/protos/protos.json', ['google', 'cloud', 'run', 'v2', 'Services']],
  ['@google-cloud/secret-manager/build/protos/protos.json', ['google', 'cloud', 'secretmanager', 'v1', 'SecretManagerService']],
  ['@google-cloud/resource-manager/build/protos/protos.json', ['google', 'cloud', 'resourcemanager', 'v3', 'Projects']],
];

type MethodDef = Record<string, unknown> & {
  requestSerialize(arg: unknown): Buffer;
  responseDeserialize(buf: Buffer): unknown;
  requestType: Record<string, unknown>;
  responseType: Record<string, unknown>;
};

describe.each(LIBRARIES)('%s', (file, service) => {
  const json = require(file) as ProtoJson;
  const subset = subsetOf(json, service)!;
  const ours = packageDefinition(subset);
  const theirs = protoLoader.fromJSON(subset, GAX_OPTIONS);

  it('names the same definitions', () => {
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
  });

  it('gives every method the same path, names, streaming flags and options', () => {
    const name = service.join('.');
    const a = ours[name] as unknown as Record<string, MethodDef>;
    const b = theirs[name] as Record<string, MethodDef>;
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const method of Object.keys(b)) {
      for (const key of ['path', 'requestStream', 'responseStream', 'originalName', 'options']) {
        expect(a[method][key], `${method}.${key}`).toEqual(b[method][key]);
      }
    }
  });

  it('encodes and decodes the same before anything asked for reflection (types resolved as used)', () => {
    const fresh = packageDefinition(subset)[service.join('.')] as unknown as Record<string, MethodDef>;
    const b = theirs[service.join('.')] as Record<string, MethodDef>;
    const request = { name: 'projects/p/x/y', parent: 'projects/p', pageSize: 3, etag: 'e' };
    for (const method of Object.keys(b)) {
      expect(fresh[method].requestSerialize(request).equals(b[method].requestSerialize(request)), method).toBe(true);
      const response = (b[method] as unknown as { responseSerialize(arg: unknown): Buffer }).responseSerialize({ name: 'projects/p/x/y' });
      expect(fresh[method].responseDeserialize(response), method).toEqual(b[method].responseDeserialize(response));
    }
  });

  it('encodes and decodes the same bytes, and describes messages the same when asked', () => {
    const a = ours[service.join('.')] as unknown as Record<string, MethodDef>;
    const b = theirs[service.join('.')] as Record<string, MethodDef>;
    for (const method of Object.keys(b)) {
      const request = { name: 'projects/p/x/y', parent: 'projects/p', pageSize: 3, etag: 'e' };
      const bytes = b[method].requestSerialize(request);
      expect(a[method].requestSerialize(request).equals(bytes)).toBe(true);
      expect(a[method].responseDeserialize(Buffer.alloc(0))).toEqual(b[method].responseDeserialize(Buffer.alloc(0)));
      const response = (b[method] as unknown as { responseSerialize(arg: unknown): Buffer }).responseSerialize({ name: 'projects/p/x/y' });
      expect(a[method].responseDeserialize(response)).toEqual(b[method].responseDeserialize(response));
      expect(a[method].requestType.type).toEqual(b[method].requestType.type);
      expect(a[method].responseType.format).toEqual(b[method].responseType.format);
    }
    const [first] = Object.keys(b);
    expect(a[first].requestType.fileDescriptorProtos).toEqual(b[first].requestType.fileDescriptorProtos);
  });
});

describe('code generated on first call (protobuf.js Type.setup)', () => {
  const gax = gaxRequire('google-gax') as { protobuf: typeof import('protobufjs') };
  const { protobuf } = gax;
  const setup = protobuf.Type.prototype.setup as unknown as { onFirstCall?: boolean; original: () => unknown };
  const json = require('@google-cloud/run/build/protos/protos.json') as ProtoJson;
  const operations = gaxRequire('../protos/operations.json') as ProtoJson;
  /** A root of its own for every run: generated functions live on the types. */
  const rootOf = (source: ProtoJson, eager: boolean) => {
    const root = protobuf.Root.fromJSON(source);
    if (eager) {
      const visit = (ns: protobuf.NamespaceBase): void => {
        for (const child of ns.nestedArray) {
          if (child instanceof protobuf.Type) Object.defineProperty(child, 'setup', { value: setup.original, configurable: true });
          if (child instanceof protobuf.Namespace) visit(child);
        }
      };
      visit(root);
    }
    return root;
  };
  const service = {
    name: 'projects/p/locations/europe-west1/services/atlantis',
    labels: { 'managed-by': 'atlantis-run' },
    ingress: 'INGRESS_TRAFFIC_ALL',
    template: {
      serviceAccount: 'a@p.iam.gserviceaccount.com',
      scaling: { minInstanceCount: 1, maxInstanceCount: 1 },
      timeout: { seconds: 3600, nanos: 0 },
      containers: [
        {
          image: 'europe-west1-docker.pkg.dev/p/r/atlantis@sha256:00',
          env: [
            { name: 'ATLANTIS_PORT', value: '4141' },
            { name: 'ATLANTIS_GH_TOKEN', valueSource: { secretKeyRef: { secret: 'atlantis-vcs-token', version: '3' } } },
          ],
          resources: { limits: { cpu: '1', memory: '2Gi' }, cpuIdle: false },
          ports: [{ name: 'http1', containerPort: 4141 }],
          volumeMounts: [{ name: 'data', mountPath: '/atlantis' }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: { medium: 'MEMORY', sizeLimit: '1Gi' } }],
    },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    createTime: { seconds: '1764547200', nanos: 5 },
    generation: '7',
  };
  const options = { longs: String, enums: String, defaults: true, oneofs: true };

  it('is installed, and encodes, decodes and converts exactly as the eager original', () => {
    expect(setup.onFirstCall).toBe(true);
    const roundTrip = (eager: boolean) => {
      const type = rootOf(json, eager).lookupType('google.cloud.run.v2.Service');
      const bytes = type.encode(type.fromObject(service)).finish();
      return { bytes: Buffer.from(bytes).toString('hex'), object: type.toObject(type.decode(bytes), options) };
    };
    const lazy = roundTrip(false);
    expect(lazy).toEqual(roundTrip(true));
    expect(lazy.object).toMatchObject({ name: service.name, generation: '7', ingress: 'INGRESS_TRAFFIC_ALL' });
  });

  it('builds only the functions a call uses: verify is never generated by a round trip', () => {
    const type = rootOf(json, false).lookupType('google.cloud.run.v2.Service');
    const container = type.lookupType('google.cloud.run.v2.Container');
    // As @grpc/proto-loader calls them: each method read before the call that sets the type up.
    type.toObject(type.decode(type.encode(type.fromObject(service)).finish()), options);
    // Generated functions are named after their type (Service$encode); the stubs are not.
    for (const name of ['encode', 'decode', 'fromObject', 'toObject'] as const) expect(type[name].name, name).toMatch(/\$/);
    expect(type.verify.name).not.toMatch(/\$/);
    expect(container.verify.name).not.toMatch(/\$/);
    expect(type.verify({ name: service.name })).toBe(null);
    expect(type.verify.name).toMatch(/\$verify$/);
  });

  it('keeps protobuf.js’s wrapper for google.protobuf.Any (an operation’s metadata)', () => {
    const run = (eager: boolean) => {
      const root = rootOf({ nested: { ...operations.nested, ...json.nested } }, eager);
      const operation = root.lookupType('google.longrunning.Operation');
      const metadata = root.lookupType('google.cloud.run.v2.Service');
      const value = metadata.encode(metadata.fromObject(service)).finish();
      const message = operation.fromObject({
        name: 'operations/1',
        done: true,
        metadata: { type_url: 'type.googleapis.com/google.cloud.run.v2.Service', value },
      });
      return operation.toObject(operation.decode(operation.encode(message).finish()), { ...options, json: true });
    };
    expect(run(false)).toEqual(run(true));
  });
});
