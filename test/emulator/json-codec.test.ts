// The proto3 JSON codec, on real descriptors (Cloud Run's are the richest: timestamps, durations,
// maps, oneofs, enums, int64, nested messages), plus path templates and option parsing.
import { describe, expect, test } from 'vitest';
import { ApiError } from '../../src/emulator/core/errors.js';
import { ProtoJsonCodec } from '../../src/emulator/core/json-codec.js';
import { compileTemplate } from '../../src/emulator/core/path-template.js';
import { loadOperationsProtos, loadProtoFile, loadStatusProtos, TypeRegistry } from '../../src/emulator/core/protos.js';
import { parseFaultSpec, validateEmulatorOptions } from '../../src/emulator/index.js';

const registry = new TypeRegistry();
registry.add(loadStatusProtos());
registry.add(loadOperationsProtos());
const run = loadProtoFile('@google-cloud/run');
const usage = loadProtoFile('@google-cloud/service-usage');
registry.add(run);
registry.add(usage);
const codec = new ProtoJsonCodec(registry);
const Service = run.lookupType('google.cloud.run.v2.Service');
const Operation = loadOperationsProtos().lookupType('google.longrunning.Operation');

function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('proto3 JSON codec', () => {
  const service = {
    name: 'projects/p/locations/us-central1/services/web',
    generation: '3',
    labels: { team: 'infra' },
    createTime: '2024-04-01T12:34:56.123456Z',
    ingress: 'INGRESS_TRAFFIC_ALL',
    template: {
      timeout: '300s',
      maxInstanceRequestConcurrency: 80,
      containers: [
        { image: 'gcr.io/cloudrun/hello', env: [{ name: 'FOO', value: 'bar' }], resources: { limits: { cpu: '1000m' }, cpuIdle: true } },
      ],
      scaling: { maxInstanceCount: 2 },
    },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    reconciling: true,
  };

  test('round-trips proto3 JSON through the binary wire form', () => {
    const bytes = codec.encode(Service, service);
    expect(codec.decode(Service, bytes)).toEqual(service);
  });

  test('int64 as strings, timestamps with 0/3/6/9 digits, durations, enums by name or number', () => {
    const json = codec.normalize(Service, { ...service, generation: 7, createTime: '2024-04-01T12:34:56Z', template: { timeout: '1.5s' } });
    expect(json.generation).toBe('7');
    expect(json.createTime).toBe('2024-04-01T12:34:56Z');
    expect((json.template as Record<string, unknown>).timeout).toBe('1.500s');
    expect(codec.normalize(Service, { createTime: '2024-04-01T14:34:56.5+02:00' }).createTime).toBe('2024-04-01T12:34:56.500Z');
    expect(codec.normalize(Service, { ingress: 2 }).ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(codec.normalize(Service, { ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY' }, { numericEnums: true }).ingress).toBe(2);
  });

  test('proto3 defaults are omitted, set oneof members and empty messages are kept', () => {
    const json = codec.normalize(Service, {
      generation: '0',
      reconciling: false,
      template: { containers: [{ resources: { cpuIdle: false } }] },
    });
    expect(json).toEqual({ template: { containers: [{ resources: {} }] } }); // a plain bool false is a default
    const Replication = loadProtoFile('@google-cloud/secret-manager').lookupType('google.cloud.secretmanager.v1.Replication');
    expect(codec.normalize(Replication, { automatic: {} })).toEqual({ automatic: {} });
  });

  test('accepts snake_case names, answers camelCase', () => {
    expect(codec.normalize(Service, { launch_stage: 'GA', template: { max_instance_request_concurrency: 5 } })).toEqual({
      launchStage: 'GA',
      template: { maxInstanceRequestConcurrency: 5 },
    });
  });

  test('Any encodes and decodes by type URL; well-known types sit under "value"', () => {
    const operation = {
      name: 'operations/x',
      done: true,
      metadata: { '@type': 'type.googleapis.com/google.protobuf.Empty', value: {} },
      response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', name: 'projects/p/locations/l/services/s', generation: '1' },
    };
    expect(codec.decode(Operation, codec.encode(Operation, operation))).toEqual(operation);
    const status = {
      name: 'operations/y',
      done: true,
      error: {
        code: 5,
        message: 'gone',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'R', domain: 'd', metadata: { k: 'v' } }],
      },
    };
    expect(codec.decode(Operation, codec.encode(Operation, status))).toEqual(status);
  });

  test('FieldMask, Struct, Value and bytes', () => {
    const UpdateSecret = loadProtoFile('@google-cloud/secret-manager').lookupType('google.cloud.secretmanager.v1.UpdateSecretRequest');
    const update = codec.normalize(UpdateSecret, { updateMask: 'labels,versionAliases,rotation.nextRotationTime' });
    expect(update.updateMask).toBe('labels,versionAliases,rotation.nextRotationTime');
    const Payload = loadProtoFile('@google-cloud/secret-manager').lookupType('google.cloud.secretmanager.v1.SecretPayload');
    const payload = { data: Buffer.from('hello').toString('base64'), dataCrc32c: '907060870' };
    expect(codec.decode(Payload, codec.encode(Payload, payload))).toEqual(payload);
    expect(codec.normalize(Payload, { data: 'aGk_' }).data).toBe('aGk/'); // URL-safe base64 accepted
    const Struct = usage.lookupType('google.protobuf.Struct');
    const struct = { a: 1, b: 'two', c: [true, null], d: { e: {} } };
    expect(codec.decode(Struct, codec.encode(Struct, struct))).toEqual(struct);
  });

  test('unknown names and ill-typed values are INVALID_ARGUMENT in Google’s words', () => {
    const unknown = apiErrorOf(() => codec.normalize(Service, { template: { containers: [{ imagee: 'x' }] } }));
    expect(unknown.code).toBe('INVALID_ARGUMENT');
    expect(unknown.message).toBe(`Invalid JSON payload received. Unknown name "imagee" at 'template.containers[0]': Cannot find field.`);
    expect(apiErrorOf(() => codec.normalize(Service, { ingress: 'NOT_AN_INGRESS' })).message).toBe(
      `Invalid value at 'ingress' (type.googleapis.com/google.cloud.run.v2.IngressTraffic), "NOT_AN_INGRESS"`,
    );
    expect(apiErrorOf(() => codec.normalize(Service, { generation: 'seven' })).message).toBe(
      `Invalid value at 'generation' (TYPE_INT64), "seven"`,
    );
    expect(apiErrorOf(() => codec.normalize(Service, { createTime: 'yesterday' })).code).toBe('INVALID_ARGUMENT');
    expect(apiErrorOf(() => codec.normalize(Service, { template: { timeout: 300 } })).code).toBe('INVALID_ARGUMENT');
    expect(apiErrorOf(() => codec.normalize(Service, { labels: ['a'] })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('path templates', () => {
  test('variables bind fields; verbs and ** segments match', () => {
    const access = compileTemplate('/v1/{name=projects/*/secrets/*/versions/*}:access');
    expect(access.match('/v1/projects/p/secrets/s/versions/latest:access')?.get('name')).toBe('projects/p/secrets/s/versions/latest');
    expect(access.match('/v1/projects/p/secrets/s/versions/latest')).toBeUndefined();
    const nested = compileTemplate('/v3/{project.name=projects/*}');
    expect(nested.match('/v3/projects/abc')?.get('project.name')).toBe('projects/abc');
    const operations = compileTemplate('/v3/{name=operations/**}');
    expect(operations.match('/v3/operations/cp.123/456')?.get('name')).toBe('operations/cp.123/456');
    const plain = compileTemplate('/v1/projects/{projectId}');
    expect(plain.match('/v1/projects/my%2Dproj')?.get('projectId')).toBe('my-proj');
    expect(access.specificity).toBeGreaterThan(compileTemplate('/v1/{name=projects/*/secrets/*/versions/*}').specificity);
  });
});

describe('options', () => {
  test('--faults syntax', () => {
    expect(parseFaultSpec('*=UNAVAILABLE:0.2, run.CreateService=RESOURCE_EXHAUSTED:0.1')).toEqual([
      { pattern: '*', code: 'UNAVAILABLE', rate: 0.2, when: 'before' },
      { pattern: 'run.CreateService', code: 'RESOURCE_EXHAUSTED', rate: 0.1, when: 'before' },
    ]);
    expect(parseFaultSpec('google.cloud.run.v2.Services/*=INTERNAL:1')).toEqual([
      { pattern: 'google.cloud.run.v2.Services/*', code: 'INTERNAL', rate: 1, when: 'before' },
    ]);
    expect(parseFaultSpec('secretmanager.AddSecretVersion=after:RESET:1,run.*=after:DEADLINE_EXCEEDED:0.5,x=RESET:0.1')).toEqual([
      { pattern: 'secretmanager.AddSecretVersion', code: 'RESET', rate: 1, when: 'after' },
      { pattern: 'run.*', code: 'DEADLINE_EXCEEDED', rate: 0.5, when: 'after' },
      { pattern: 'x', code: 'RESET', rate: 0.1, when: 'before' },
    ]);
    expect(() => parseFaultSpec('x=later:UNAVAILABLE:1')).toThrow(/expected METHOD=CODE:RATE/);
    expect(() => parseFaultSpec('run.CreateService')).toThrow(/expected METHOD=CODE:RATE/);
    expect(() => parseFaultSpec('x=NOPE:0.1')).toThrow(/not an error code/);
    expect(() => parseFaultSpec('x=OK:0.1')).toThrow(/not an error code/);
    expect(() => parseFaultSpec('x=UNAVAILABLE:1.5')).toThrow(/between 0 and 1/);
  });

  test('validation fills defaults and rejects nonsense', () => {
    const resolved = validateEmulatorOptions({ seed: 3, deny: ['run.services.create'] });
    expect(resolved).toMatchObject({ port: 0, latencyMs: 0, operationDelayMs: 0, iamPropagationDelayMs: 0, seed: 3, faults: [] });
    expect([...resolved.deny]).toEqual(['run.services.create']);
    expect(() => validateEmulatorOptions({ port: 70000 })).toThrow(/port/);
    expect(() => validateEmulatorOptions({ latencyMs: -1 })).toThrow(/latency/);
    expect(() => validateEmulatorOptions({ deny: ['create'] })).toThrow(/--deny/);
    expect(() => validateEmulatorOptions({ seed: 1.5 })).toThrow(/seed/);
  });
});
