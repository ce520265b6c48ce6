// Real Google client libraries pointed at a running emulator, over gRPC or REST. Later API tests
// reuse these: build a client with `clientOptions(emulator, transport)` and pass it to any
// generated `@google-cloud/*` client constructor.
import * as grpc from '@grpc/grpc-js';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { OAuth2Client } from 'google-auth-library';
import { createBackoffSettings } from 'google-gax';
import type protobuf from 'protobufjs';
import type { Request as LooseJson } from '../../src/emulator/core/api.js';
import { loadOperationsProtos } from '../../src/emulator/core/protos.js';
import type { RunningEmulator } from '../../src/emulator/index.js';

export type Transport = 'grpc' | 'rest';

/**
 * Google's JSON answers and client errors as tests read them (the assertions check the shape):
 * the emulator's loosely typed request object, its one sanctioned `any`.
 */
export type { Request as LooseJson } from '../../src/emulator/core/api.js';
export const TRANSPORTS: Transport[] = ['grpc', 'rest'];

/** An auth client that always has a token and never refreshes (so nothing reaches Google). */
export function testAuthClient(token = 'emulator'): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
  return client;
}

type EmulatorAddress = Pick<RunningEmulator, 'port'>;

/** Constructor options for any generated client: gRPC over an insecure channel, or REST over http. */
export function clientOptions(emulator: EmulatorAddress, transport: Transport) {
  const common = { apiEndpoint: '127.0.0.1', port: emulator.port, authClient: testAuthClient() };
  return transport === 'grpc'
    ? { ...common, sslCreds: grpc.credentials.createInsecure() }
    : { ...common, fallback: 'rest' as const, protocol: 'http' };
}

export function serviceUsageClient(emulator: EmulatorAddress, transport: Transport): ServiceUsageClient {
  return new ServiceUsageClient(clientOptions(emulator, transport));
}

export function projectsClient(emulator: EmulatorAddress, transport: Transport): ProjectsClient {
  return new ProjectsClient(clientOptions(emulator, transport));
}

export function artifactRegistryClient(emulator: EmulatorAddress, transport: Transport): ArtifactRegistryClient {
  return new ArtifactRegistryClient(clientOptions(emulator, transport));
}

/** Call options that poll long-running operations every few ms instead of Google's 100 ms × 1.3 backoff. */
export const FAST_POLLING = { longrunning: createBackoffSettings(5, 1.2, 50, 0, 0, 0, 30_000) };

/** Call options that turn off the client's own retries (to see injected faults as they come). */
export const NO_RETRY = { maxRetries: 0 } as const;

const HTTP_TO_GRPC: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4 };

const GRPC_CODES: Record<string, number> = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/** The gRPC status code of a client error, whichever transport raised it (REST: from the body's `status`, else the HTTP status). */
export function grpcCodeOf(error: unknown): number | undefined {
  const status = restErrorBodyOf(error)?.status;
  if (typeof status === 'string' && GRPC_CODES[status] !== undefined) return GRPC_CODES[status];
  const err = error as { code?: unknown; status?: unknown };
  if (typeof err.code === 'number') return err.code >= 100 ? HTTP_TO_GRPC[err.code] : err.code;
  if (typeof err.status === 'number') return HTTP_TO_GRPC[err.status];
  return undefined;
}

/** Runs `fn`, expecting it to fail; returns the error. */
export async function failureOf(fn: () => Promise<unknown>): Promise<LooseJson> {
  try {
    await fn();
  } catch (error) {
    return error as LooseJson;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export interface RestAnswer<T = LooseJson> {
  status: number;
  body: T;
  headers: Headers | Record<string, string>;
}

/**
 * A REST call through google-auth-library's `authClient.request()`, as the tool makes IAM calls.
 * Never throws for an HTTP error status: returns it with the parsed body.
 */
export async function restCall<T = LooseJson>(
  emulator: EmulatorAddress,
  method: string,
  path: string,
  data?: unknown,
  options: { token?: string | null } = {},
): Promise<RestAnswer<T>> {
  const url = `http://127.0.0.1:${emulator.port}${path}`;
  if (options.token === null) {
    const response = await fetch(url, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(data === undefined ? {} : { body: JSON.stringify(data) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? safeJson(text) : undefined) as T, headers: response.headers };
  }
  const client = testAuthClient(options.token ?? 'emulator');
  try {
    const response = await client.request<T>({ url, method: method, ...(data === undefined ? {} : { data }), retry: false });
    return { status: response.status, body: response.data, headers: response.headers as never };
  } catch (error) {
    const response = (error as { response?: { status: number; data: T; headers: never } }).response;
    if (!response) throw error;
    return { status: response.status, body: response.data, headers: response.headers };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface ErrorInfoView {
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
}

/**
 * The google.rpc.ErrorInfo of a client error, as each transport exposes it: gRPC errors carry it
 * decoded by google-gax (`reason`, `domain`, `errorInfoMetadata`); the REST transport (gax 5 with
 * google-auth-library 10) throws a GaxiosError whose message is Google's JSON error body.
 */
export function errorInfoOf(error: unknown): ErrorInfoView | undefined {
  const err = error as { reason?: string; domain?: string; errorInfoMetadata?: Record<string, string>; message?: string };
  if (err.reason) return { reason: err.reason, domain: err.domain, metadata: err.errorInfoMetadata };
  const body = restErrorBodyOf(error);
  const info = body?.details?.find((detail: { '@type'?: string }) => detail['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
  return info ? { reason: info.reason, domain: info.domain, metadata: info.metadata } : undefined;
}

/** The `error` object of Google's JSON error body carried by a REST client error, if any. */
export function restErrorBodyOf(error: unknown): LooseJson | undefined {
  const message = (error as { message?: string }).message ?? '';
  try {
    return (JSON.parse(message) as { error?: LooseJson }).error;
  } catch {
    return undefined;
  }
}

/** The error message Google sent, whichever transport carried it. */
export function messageOf(error: unknown): string {
  const body = restErrorBodyOf(error);
  if (body) return String(body.message);
  const details = (error as { details?: unknown }).details;
  return typeof details === 'string' ? details : String((error as Error).message);
}

/**
 * google.longrunning.Operations/WaitOperation, which the generated clients do not expose: over
 * gRPC with a generic grpc-js client (types from google-gax's operations.json), over REST by
 * POSTing `restPath` (the API's `…/operations/*:wait` route).
 */
export async function waitOperation(
  emulator: EmulatorAddress,
  transport: Transport,
  request: { name: string; timeout?: string },
  restPath: string,
): Promise<Record<string, unknown>> {
  if (transport === 'rest') {
    const answer = await restCall(emulator, 'POST', restPath, request.timeout ? { timeout: request.timeout } : {});
    if (answer.status !== 200) throw new Error(`WaitOperation answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
  const root = loadOperationsProtos();
  const requestType = root.lookupType('google.longrunning.WaitOperationRequest');
  const operationType = root.lookupType('google.longrunning.Operation');
  const seconds = request.timeout ? Number.parseFloat(request.timeout) : undefined;
  const message = requestType.fromObject({
    name: request.name,
    ...(seconds !== undefined ? { timeout: { seconds: Math.floor(seconds) } } : {}),
  });
  const client = new grpc.Client(`127.0.0.1:${emulator.port}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        '/google.longrunning.Operations/WaitOperation',
        (value: protobuf.Message) => Buffer.from(requestType.encode(value).finish()),
        (bytes: Buffer) => operationType.toObject(operationType.decode(bytes), { defaults: false }),
        message,
        (error, value) => (error ? reject(error) : resolve(value as Record<string, unknown>)),
      );
    });
  } finally {
    client.close();
  }
}
