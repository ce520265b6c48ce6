// gRPC: a grpc-js server with a generic unary handler for every method of every served service.
// Messages cross the wire as raw bytes; the codec turns them into proto3 JSON for the handlers
// and back, and errors carry an encoded google.rpc.Status in `grpc-status-details-bin` (which
// google-gax decodes into `statusDetails`, `reason`, `domain` and `errorInfoMetadata`).
import * as grpc from '@grpc/grpc-js';
import type { CallPipeline } from './call-pipeline.js';
import { asApiError } from './errors.js';
import type { ProtoJsonCodec } from './json-codec.js';
import type { MethodTable, MethodBinding } from './method-table.js';

function identity(bytes: Buffer): Buffer {
  return bytes;
}

function grpcErrorOf(error: unknown, codec: ProtoJsonCodec, registry: MethodTable): Partial<grpc.StatusObject> {
  const apiError = asApiError(error);
  const metadata = new grpc.Metadata();
  const statusType = registry.types.findType('google.rpc.Status')!;
  const status = codec.encode(statusType, {
    code: apiError.numericCode,
    message: apiError.message,
    details: apiError.details as never,
  });
  metadata.set('grpc-status-details-bin', Buffer.from(status));
  return { code: apiError.numericCode, details: apiError.message, metadata };
}

function unaryHandler(
  binding: MethodBinding,
  pipeline: CallPipeline,
  codec: ProtoJsonCodec,
  registry: MethodTable,
): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    pipeline
      .run({
        transport: 'grpc',
        binding,
        authenticated: true,
        readRequest: () => codec.decode(binding.requestType!, call.request),
        render: (response) => Buffer.from(codec.encode(binding.responseType!, response)),
      })
      .then(
        (bytes) => callback(null, bytes),
        (error: unknown) => callback(grpcErrorOf(error, codec, registry)),
      );
  };
}

export function createGrpcServer(registry: MethodTable, pipeline: CallPipeline, codec: ProtoJsonCodec): grpc.Server {
  const server = new grpc.Server();
  for (const { service, methods } of registry.grpcServices) {
    const serviceName = service.fullName.replace(/^\./, '');
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const { name, binding } of methods) {
      definition[name] = {
        path: `/${serviceName}/${name}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
        originalName: name,
      };
      implementation[name] = unaryHandler(binding, pipeline, codec, registry);
    }
    server.addService(definition, implementation);
  }
  return server;
}
