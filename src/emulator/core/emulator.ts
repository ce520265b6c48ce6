// Wires the emulator together: options → state → services → method table → pipeline →
// gRPC + REST transports on one port. Loaded lazily by src/emulator/index.ts.
import { ALL_APIS } from '../apis/index.js';
import type { RunningEmulator } from '../index.js';
import type { ApiDefinition } from './api.js';
import { CallPipeline } from './call-pipeline.js';
import { permissionsCheckedBy } from './checked-permissions.js';
import { FaultInjector } from './faults.js';
import { createGrpcServer } from './grpc-transport.js';
import { ProtoJsonCodec } from './json-codec.js';
import { listenOnePort } from './listener.js';
import { validateEmulatorOptions, type EmulatorOptions } from './options.js';
import { MethodTable } from './method-table.js';
import { RequestLog } from './request-log.js';
import { createRestHandler } from './rest-transport.js';
import { createServices } from './services.js';
import { StateStore } from './state.js';

export async function startEmulatorWith(options: EmulatorOptions, apis: ApiDefinition[] = ALL_APIS): Promise<RunningEmulator> {
  const resolved = validateEmulatorOptions(options);
  const store = StateStore.open(resolved.stateFile);
  const methodTable = new MethodTable(apis);
  const services = createServices(resolved, store, (api, action) => methodTable.completerOf(api, action), permissionsCheckedBy(apis));
  const log = new RequestLog(resolved.requestLogFile);
  const pipeline = new CallPipeline(services, new FaultInjector(resolved.faults, resolved.seed), log);
  const codec = new ProtoJsonCodec(methodTable.types);
  const restHandler = createRestHandler(methodTable, pipeline, codec, services);
  const listener = await listenOnePort(resolved.port, createGrpcServer(methodTable, pipeline, codec), (request, response) => {
    void restHandler(request, response);
  });

  const requireProject = (projectId: string) => {
    const project = services.projects.find(projectId);
    if (!project) throw new Error(`invalid project id: ${projectId}`);
    return project;
  };
  let closed: Promise<void> | undefined;

  return {
    host: `127.0.0.1:${listener.port}`,
    port: listener.port,
    seed: resolved.seed,
    requestLog: () => log.all(),
    clearRequestLog: () => log.clear(),
    projectNumber: (projectId) => requireProject(projectId).projectNumber,
    setServiceEnabled(projectId, service, enabled = true) {
      services.projects.setServiceState(requireProject(projectId), service, enabled ? 'ENABLED' : 'DISABLED');
      store.saveIfDirty();
    },
    isServiceEnabled(projectId, service) {
      services.operations.settleDue();
      return services.projects.isServiceEnabled(requireProject(projectId), service);
    },
    state() {
      services.operations.settleDue();
      return store.snapshot();
    },
    mutate(change) {
      services.operations.settleDue();
      change(services);
      store.markDirty();
      store.saveIfDirty();
    },
    close() {
      closed ??= listener.close().then(() => store.saveIfDirty());
      return closed;
    },
  };
}
