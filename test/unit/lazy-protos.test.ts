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
