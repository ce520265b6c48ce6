// Errors of both transports, produced by the real client library against small local servers,
// normalise to one GcpError: gRPC code 5 and HTTP 404 are the same NotFound.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpc } from 'google-gax';
import protobuf from 'protobufjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ClientFactory } from '../src/gcp/factory.js';
import { describeGcpError, GcpError, toGcpError } from '../src/gcp/errors.js';

const require = createRequire(import.meta.url);
const gaxProtos = path.join(path.dirname(require.resolve('google-gax')), '..', '..', 'build', 'protos');

const SERVICE_DISABLED_MESSAGE =
  'Service Usage API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/serviceusage.googleapis.com/overview?project=123456789012 then retry.';

// --- a REST server answering every call with a Google error body --------------------------------
let rest: http.Server;
let restPort: number;
let restReply: { status: number; body: unknown } = { status: 404, body: {} };

// --- a gRPC server answering every call with a status and google.rpc.Status details ----------------
let grpcServer: grpc.Server;
let grpcPort: number;
let grpcReply: { code: number; details: string; statusBin?: Buffer } = { code: 5, details: 'x' };

function encodeStatus(
  root: protobuf.Root,
  code: number,
  message: string,
  info?: { reason: string; domain: string; metadata: Record<string, string> },
): Buffer {
  const Status = root.lookupType('google.rpc.Status');
  const ErrorInfo = root.lookupType('google.rpc.ErrorInfo');
  const details = info
    ? [{ type_url: 'type.googleapis.com/google.rpc.ErrorInfo', value: ErrorInfo.encode(ErrorInfo.fromObject(info)).finish() }]
    : [];
  return Buffer.from(Status.encode(Status.fromObject({ code, message, details })).finish());
}

let root: protobuf.Root;

beforeAll(async () => {
  root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(gaxProtos, target);
  await root.load(['google/rpc/status.proto', 'google/rpc/error_details.proto']);

  rest = http.createServer((req, res) => {
    req.resume();
    res.writeHead(restReply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(restReply.body));
  });
  await new Promise<void>((r) => rest.listen(0, '127.0.0.1', r));
  restPort = (rest.address() as { port: number }).port;

  grpcServer = new grpc.Server();
  const passthrough = (b: Buffer) => b;
  const handler = (_call: unknown, callback: (err: grpc.ServiceError | null) => void) => {
    const metadata = new grpc.Metadata();
    if (grpcReply.statusBin) metadata.set('grpc-status-details-bin', grpcReply.statusBin);
    const error: grpc.ServiceError = Object.assign(new Error(grpcReply.details), {
      code: grpcReply.code,
      details: grpcReply.details,
      metadata,
    });
    callback(error);
  };
  for (const method of ['GetService', 'EnableService']) {
    (grpcServer as unknown as { register: (...a: unknown[]) => boolean }).register(
      `/google.api.serviceusage.v1.ServiceUsage/${method}`,
      handler,
      passthrough,
      passthrough,
      'unary',
    );
  }
  grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
});

afterAll(async () => {
  grpcServer.forceShutdown();
  await new Promise((r) => rest.close(r));
});

async function callGetService(transport: 'grpc' | 'rest'): Promise<unknown> {
  const port = transport === 'grpc' ? grpcPort : restPort;
  const factory = new ClientFactory({ emulatorHost: `127.0.0.1:${port}`, transport });
  try {
    const client = await factory.client('serviceUsage');
    await client.getService({ name: 'projects/p/services/run.googleapis.com' }, { retry: null } as never);
    throw new Error('expected the call to fail');
  } catch (err) {
    return toGcpError(err, {
      api: 'serviceusage.googleapis.com',
      method: 'GetService',
      resource: 'projects/p/services/run.googleapis.com',
    });
  } finally {
    await factory.close();
  }
}

describe('GCP error mapping', () => {
  it('gRPC code 5 and HTTP 404 are the same NotFound', async () => {
    grpcReply = { code: 5, details: 'Service not found.' };
    restReply = { status: 404, body: { error: { code: 404, message: 'Service not found.', status: 'NOT_FOUND' } } };
    const fromGrpc = (await callGetService('grpc')) as GcpError;
    const fromRest = (await callGetService('rest')) as GcpError;
    for (const e of [fromGrpc, fromRest]) {
      expect(e).toBeInstanceOf(GcpError);
      expect(e.code).toBe('NOT_FOUND');
      expect(e.httpStatus).toBe(404);
      expect(e.message).toBe('Service not found.');
      expect(e.method).toBe('GetService');
    }
  });

  it('SERVICE_DISABLED keeps its ErrorInfo reason and metadata on both transports, with a hint', async () => {
    const info = {
      reason: 'SERVICE_DISABLED',
      domain: 'googleapis.com',
      metadata: { service: 'serviceusage.googleapis.com', consumer: 'projects/123456789012' },
    };
    grpcReply = { code: 7, details: SERVICE_DISABLED_MESSAGE, statusBin: encodeStatus(root, 7, SERVICE_DISABLED_MESSAGE, info) };
    restReply = {
      status: 403,
      body: {
        error: {
          code: 403,
          message: SERVICE_DISABLED_MESSAGE,
          status: 'PERMISSION_DENIED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', ...info }],
        },
      },
    };
    for (const transport of ['grpc', 'rest'] as const) {
      const e = (await callGetService(transport)) as GcpError;
      expect(e.code, transport).toBe('PERMISSION_DENIED');
      expect(e.reason, transport).toBe('SERVICE_DISABLED');
      expect(e.metadata.service, transport).toBe('serviceusage.googleapis.com');
      expect(describeGcpError(e).hint).toContain('gcloud services enable serviceusage.googleapis.com');
    }
  });

  it('HTTP 409 with status ABORTED and gRPC 10 are the same etag conflict; 409 ALREADY_EXISTS stays distinct', async () => {
    grpcReply = { code: 10, details: 'There were concurrent policy changes.' };
    restReply = { status: 409, body: { error: { code: 409, message: 'There were concurrent policy changes.', status: 'ABORTED' } } };
    expect(((await callGetService('grpc')) as GcpError).code).toBe('ABORTED');
    expect(((await callGetService('rest')) as GcpError).code).toBe('ABORTED');
    grpcReply = { code: 6, details: 'exists' };
    restReply = { status: 409, body: { error: { code: 409, message: 'exists', status: 'ALREADY_EXISTS' } } };
    expect(((await callGetService('grpc')) as GcpError).code).toBe('ALREADY_EXISTS');
    expect(((await callGetService('rest')) as GcpError).code).toBe('ALREADY_EXISTS');
  });

  it("google-auth-library's authorized requests (REST-only APIs) map the same way", async () => {
    restReply = { status: 404, body: { error: { code: 404, message: 'Unknown service account', status: 'NOT_FOUND' } } };
    const factory = new ClientFactory({ emulatorHost: `127.0.0.1:${restPort}` });
    const err = await factory
      .request({ url: `${factory.restBase('iam')}/v1/projects/p/serviceAccounts/x@p.iam.gserviceaccount.com` })
      .catch((e: unknown) => e);
    const e = toGcpError(err) as GcpError;
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('Unknown service account');
  });

  it('leaves errors that are not API errors alone', () => {
    const bug = new TypeError('x is undefined');
    expect(toGcpError(bug)).toBe(bug);
  });
});
