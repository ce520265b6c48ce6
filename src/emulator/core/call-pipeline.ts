// Every call, whatever its transport, goes through the same steps in the order Google applies
// them: latency → authentication (REST) → decode → injected faults → API enablement →
// permission → handler → (faults that lose the reply) → render; then the state is saved if it
// changed and the call is logged.
import type { CallContext, MethodBehaviour } from './api.js';
import { declaredPermissionsOf } from './checked-permissions.js';
import { ApiError, asApiError, errorInfo, help, localizedMessage, type CodeName } from './errors.js';
import type { FaultInjector } from './faults.js';
import type { JsonObject, JsonValue } from './json.js';
import { projectSegmentOf } from './projects.js';
import type { MethodBinding } from './method-table.js';
import type { RequestLog } from './request-log.js';
import type { EmulatorServices } from './services.js';

export interface CallInput<T> {
  transport: 'grpc' | 'rest';
  binding: MethodBinding;
  /** REST: whether an `Authorization: Bearer …` header came. gRPC on the plain channel carries none and is trusted. */
  authenticated: boolean;
  /** Decodes the request into proto3 JSON (throws ApiError INVALID_ARGUMENT on bad input). */
  readRequest: () => JsonObject;
  /** Turns the handler's JSON into what the transport sends. */
  render: (response: JsonValue) => T;
}

const UNAUTHENTICATED_MESSAGE =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

const UNIMPLEMENTED_MESSAGE = 'Operation is not implemented, or supported, or enabled.';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Google's SERVICE_DISABLED error, word for word. */
export function serviceDisabledError(service: string, title: string, projectNumber: string): ApiError {
  const activationUrl = `https://console.developers.google.com/apis/api/${service}/overview?project=${projectNumber}`;
  const message = `${title} has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  return new ApiError('PERMISSION_DENIED', message, [
    errorInfo('SERVICE_DISABLED', 'googleapis.com', {
      activationUrl,
      consumer: `projects/${projectNumber}`,
      containerInfo: projectNumber,
      service,
      serviceTitle: title,
    }),
    localizedMessage(message),
    help([{ description: `Google developers console API activation`, url: activationUrl }]),
  ]);
}

export function permissionDeniedError(permission: string, resource: string): ApiError {
  return new ApiError('PERMISSION_DENIED', `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`, [
    errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', { permission, resource }),
  ]);
}

/** `ctx.isDenied` for one call: `--deny` for the permissions the method declares, an emulator bug for any other. */
function deniedCheck(rpcName: string, behaviour: MethodBehaviour, deny: ReadonlySet<string>): (permission: string) => boolean {
  const declared = new Set(declaredPermissionsOf(behaviour));
  return (permission) => {
    if (!declared.has(permission)) {
      throw new Error(`${rpcName} checks ${permission}, which its definition does not declare (add it to alsoChecks)`);
    }
    return deny.has(permission);
  };
}

export class CallPipeline {
  constructor(
    private readonly services: EmulatorServices,
    private readonly faults: FaultInjector,
    private readonly log: RequestLog,
  ) {}

  async run<T>(input: CallInput<T>): Promise<T> {
    const { binding } = input;
    const start = Date.now();
    let status: CodeName = 'OK';
    let resource = '';
    let api = binding.api.service;
    try {
      const latency = this.services.options.latencyMs;
      if (latency > 0) await sleep(latency);
      if (!input.authenticated) {
        throw new ApiError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE, [
          errorInfo('CREDENTIALS_MISSING', 'googleapis.com', { method: binding.rpcName.replace('/', '.'), service: binding.api.service }),
        ]);
      }
      const request = input.readRequest();
      const behaviour = binding.behaviour;
      if (!behaviour) throw new ApiError('UNIMPLEMENTED', UNIMPLEMENTED_MESSAGE);
      resource = behaviour.resource(request);
      api = behaviour.logApi?.(request, this.services) ?? api;
      this.services.operations.settleDue();
      const faults = this.faults.decide(binding.rpcName, binding.shortName);
      if (faults.before) throw faults.before;
      this.checkEnabled(binding, behaviour.project ? behaviour.project(request, this.services) : projectSegmentOf(resource));
      const permission = typeof behaviour.permission === 'function' ? behaviour.permission(request) : behaviour.permission;
      if (permission && this.services.options.deny.has(permission)) throw permissionDeniedError(permission, resource);
      const ctx: CallContext = {
        ...this.services,
        transport: input.transport,
        api: binding.api,
        rpcName: binding.rpcName,
        now: start,
        isDenied: deniedCheck(binding.rpcName, behaviour, this.services.options.deny),
      };
      const response = await behaviour.handle(request, ctx);
      // Carried out (and saved below), but the caller never hears so.
      if (faults.after) throw faults.after;
      return input.render(response);
    } catch (error) {
      const apiError = asApiError(error);
      status = apiError.code;
      throw apiError;
    } finally {
      this.services.store.saveIfDirty();
      this.log.append({
        start,
        end: Date.now(),
        transport: input.transport,
        api,
        method: binding.rpcName,
        resource,
        status,
        mutating: binding.mutating,
      });
    }
  }

  private checkEnabled(binding: MethodBinding, projectReference: string | undefined): void {
    if (!projectReference || projectReference === '-') return;
    const { service, title } = binding.api;
    const project = this.services.projects.require(projectReference, service);
    if (!this.services.projects.isServiceEnabled(project, service)) {
      throw serviceDisabledError(service, title, project.projectNumber);
    }
    this.services.projects.noteUse(project, service);
  }
}
