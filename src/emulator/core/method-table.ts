// Builds the method table from the API definitions: one binding per RPC of every served proto
// service (gRPC path, request/response types, behaviour), REST routes from each method's
// google.api.http rules and from REST-only routes, and google.longrunning.Operations.
import protobuf from 'protobufjs';
import type { Root, Service, Type } from 'protobufjs';
import {
  isMutatingMethod,
  shortNameOf,
  type ApiDefinition,
  type MethodBehaviour,
  type OperationCompleter,
  type RawHttpRoute,
} from './api.js';
import { jsonText } from './json.js';
import { compileTemplate, type CompiledTemplate } from './path-template.js';
import { httpRulesOf, loadOperationsProtos, loadProtoFile, loadStatusProtos, TypeRegistry, type HttpRule } from './protos.js';

export interface MethodBinding {
  api: ApiDefinition;
  /** `google.api.serviceusage.v1.ServiceUsage/GetService`. */
  rpcName: string;
  /** `serviceusage.GetService`. */
  shortName: string;
  /** Absent for REST-only routes declared without proto types. */
  requestType?: Type;
  responseType?: Type;
  /** Absent: the method exists in the proto but the emulator does not implement it (UNIMPLEMENTED). */
  behaviour?: MethodBehaviour;
  mutating: boolean;
}

export interface RestBinding {
  verb: HttpRule['verb'];
  template: CompiledTemplate;
  bodyRule?: string;
  method: MethodBinding;
}

/** A raw HTTP route with the method binding the pipeline runs it under. */
export interface RawBinding {
  verbs: ReadonlySet<string>;
  template: CompiledTemplate;
  route: RawHttpRoute;
  method: MethodBinding;
}

export interface RouteMatch {
  binding: RestBinding;
  pathBindings: Map<string, string>;
}

export interface GrpcServiceBinding {
  service: Service;
  methods: Array<{ name: string; binding: MethodBinding }>;
}

/** google.longrunning.Operations/GetOperation, served for every API; the operation's own API is logged. */
function getOperationBehaviour(fallbackApi: string): MethodBehaviour {
  return {
    resource: (request) => jsonText(request.name),
    project: () => undefined,
    logApi: (request, services) => services.operations.peek(jsonText(request.name))?.api ?? fallbackApi,
    mutating: false,
    handle: (request, ctx) => ctx.operations.toJson(ctx.operations.get(jsonText(request.name))),
  };
}

/** WaitOperation: the operation once done, or as it is when `timeout` (at most `MAX_WAIT_MS`) runs out. */
function waitOperationBehaviour(fallbackApi: string): MethodBehaviour {
  return {
    ...getOperationBehaviour(fallbackApi),
    handle: (request, ctx) => ctx.operations.wait(jsonText(request.name), durationMs(request.timeout)),
  };
}

/** ListOperations under `name` (`projects/P/locations/L`, or `operations`); over REST only the API's own (`api`). */
function listOperationsBehaviour(api: string | undefined): MethodBehaviour {
  return {
    resource: (request) => jsonText(request.name),
    project: () => undefined,
    ...(api ? { logApi: () => api } : {}),
    mutating: false,
    handle: (request, ctx) =>
      ctx.operations.list({
        under: jsonText(request.name),
        ...(api ? { api } : {}),
        filter: jsonText(request.filter),
        pageSize: Number(request.pageSize ?? 0),
        pageToken: jsonText(request.pageToken),
      }),
  };
}

/** A proto3 JSON Duration (`"1.5s"`) in milliseconds; undefined when absent. */
function durationMs(value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^(-?\d+(?:\.\d+)?)s$/.exec(value) : null;
  return match ? Number(match[1]) * 1000 : undefined;
}

/** A service from the first descriptor root that has it (the API's own, then its mixins'). */
function lookupServiceIn(roots: Root[], name: string): Service {
  for (const root of roots) {
    const found = root.lookup(name);
    if (found instanceof protobuf.Service) return found;
  }
  throw new Error(`no proto service ${name}`);
}

const OPERATIONS_API: ApiDefinition = {
  service: 'longrunning.googleapis.com',
  title: 'Long-running operations',
  shortName: 'operations',
};

export class MethodTable {
  readonly types = new TypeRegistry();
  readonly grpcServices: GrpcServiceBinding[] = [];
  readonly routes: RestBinding[] = [];
  readonly rawRoutes: RawBinding[] = [];
  private readonly apisByService = new Map<string, ApiDefinition>();

  constructor(readonly apis: ApiDefinition[]) {
    this.types.add(loadStatusProtos());
    const operationsRoot = loadOperationsProtos();
    this.types.add(operationsRoot);
    for (const api of apis) this.registerApi(api);
    this.registerOperations(operationsRoot.lookupService('google.longrunning.Operations'));
  }

  completerOf(apiService: string, action: string): OperationCompleter | undefined {
    return this.apisByService.get(apiService)?.operationCompleters?.[action];
  }

  /** The REST route for a request: among matching templates the most specific wins (so `…:access` beats `…/*`). */
  route(verb: string, path: string): RouteMatch | undefined {
    return this.routeCandidates(verb, path)[0];
  }

  /**
   * Every REST route tied for the most specific match. Several only where APIs share a path at
   * Google behind different hosts (Memorystore and Filestore both have `/v1/{parent=projects/*
   * /locations/*}/instances`); `service` keeps only that API's routes (the `/hosts/HOST/` prefix).
   */
  routeCandidates(verb: string, path: string, service?: string): RouteMatch[] {
    let best: RouteMatch[] = [];
    for (const binding of this.routes) {
      if (binding.verb !== verb || (service !== undefined && binding.method.api.service !== service)) continue;
      const pathBindings = binding.template.match(path);
      if (!pathBindings) continue;
      const specificity = binding.template.specificity;
      const bestSpecificity = best[0]?.binding.template.specificity ?? -1;
      if (specificity > bestSpecificity) best = [{ binding, pathBindings }];
      else if (specificity === bestSpecificity) best.push({ binding, pathBindings });
    }
    return best;
  }

  /** The raw HTTP route for a request (after JSON routes found none); the most specific template wins. */
  rawRoute(verb: string, path: string): { binding: RawBinding; pathBindings: Map<string, string> } | undefined {
    let best: { binding: RawBinding; pathBindings: Map<string, string> } | undefined;
    for (const binding of this.rawRoutes) {
      if (!binding.verbs.has(verb)) continue;
      const pathBindings = binding.template.match(path);
      if (!pathBindings) continue;
      if (!best || binding.template.specificity > best.binding.template.specificity) best = { binding, pathBindings };
    }
    return best;
  }

  private registerApi(api: ApiDefinition): void {
    if (this.apisByService.has(api.service)) throw new Error(`API ${api.service} is registered twice`);
    this.apisByService.set(api.service, api);
    const root = api.protoPackage ? loadProtoFile(api.protoPackage) : undefined;
    const mixins = (api.mixinProtos ?? []).map((descriptor) => loadProtoFile(descriptor.package, descriptor.file));
    const roots = [...(root ? [root] : []), ...mixins];
    for (const each of roots) this.types.add(each);
    const known = new Set<string>();
    for (const serviceName of api.grpcServices ?? []) {
      if (!root) throw new Error(`${api.service}: grpcServices needs protoPackage`);
      const service = lookupServiceIn(roots, serviceName);
      const methods: GrpcServiceBinding['methods'] = [];
      for (const protoMethod of service.methodsArray) {
        const rpcName = `${serviceName}/${protoMethod.name}`;
        known.add(rpcName);
        const behaviour = api.methods?.[rpcName];
        const binding: MethodBinding = {
          api,
          rpcName,
          shortName: `${shortNameOf(api)}.${protoMethod.name}`,
          requestType: protoMethod.resolvedRequestType!,
          responseType: protoMethod.resolvedResponseType!,
          ...(behaviour ? { behaviour } : {}),
          mutating: isMutatingMethod(protoMethod.name, behaviour?.mutating),
        };
        methods.push({ name: protoMethod.name, binding });
        for (const rule of httpRulesOf(protoMethod)) this.addRoute(rule, binding);
      }
      this.grpcServices.push({ service, methods });
    }
    for (const rpcName of Object.keys(api.methods ?? {})) {
      if (!known.has(rpcName)) throw new Error(`${api.service}: behaviour for ${rpcName}, which is not a method of its grpcServices`);
    }
    for (const route of api.restRoutes ?? []) {
      const methodName = route.rpcName.slice(route.rpcName.lastIndexOf('/') + 1);
      const binding: MethodBinding = {
        api,
        rpcName: route.rpcName,
        shortName: `${shortNameOf(api)}.${methodName}`,
        ...(route.requestType ? { requestType: this.requireType(api, roots, route.requestType) } : {}),
        ...(route.responseType ? { responseType: this.requireType(api, roots, route.responseType) } : {}),
        behaviour: route,
        mutating: isMutatingMethod(methodName, route.mutating),
      };
      this.addRoute({ verb: route.verb, path: route.path, ...(route.body ? { body: route.body } : {}) }, binding);
    }
    for (const route of api.rawRoutes ?? []) this.addRawRoute(api, route);
  }

  private addRawRoute(api: ApiDefinition, route: RawHttpRoute): void {
    const clash = this.rawRoutes.find((raw) => raw.template.template === route.path && route.verbs.some((verb) => raw.verbs.has(verb)));
    if (clash) throw new Error(`raw HTTP route ${route.path} of ${route.rpcName} clashes with ${clash.route.rpcName}`);
    const methodName = route.rpcName.slice(route.rpcName.lastIndexOf('/') + 1);
    // The pipeline carries the raw request and answer as the plain JSON objects they are.
    const behaviour: MethodBehaviour = {
      resource: (request) => route.resource(request as never),
      ...(route.permission !== undefined
        ? {
            permission:
              typeof route.permission === 'string'
                ? route.permission
                : (request) => (route.permission as (r: never) => string | undefined)(request as never),
          }
        : {}),
      ...(route.alsoChecks ? { alsoChecks: route.alsoChecks } : {}),
      ...(route.project ? { project: (request, services) => route.project!(request as never, services) } : {}),
      ...(route.mutating !== undefined ? { mutating: route.mutating } : {}),
      handle: async (request, ctx) => await route.handle(request as never, ctx),
    };
    const method: MethodBinding = {
      api,
      rpcName: route.rpcName,
      shortName: `${shortNameOf(api)}.${methodName}`,
      behaviour,
      mutating: isMutatingMethod(methodName, route.mutating),
    };
    this.rawRoutes.push({ verbs: new Set(route.verbs), template: compileTemplate(route.path), route, method });
  }

  /** A type from the API's own descriptors, then its mixins' (other packages may ship older copies of shared types). */
  private requireType(api: ApiDefinition, roots: Root[], name: string): Type {
    for (const root of roots) {
      const found = root.lookup(name);
      if (found instanceof protobuf.Type) return found;
    }
    throw new Error(`${api.service}: unknown proto type ${name} (is protoPackage set?)`);
  }

  private registerOperations(service: Service): void {
    const bindingOf = (name: string, behaviour: MethodBehaviour, api: ApiDefinition = OPERATIONS_API): MethodBinding => ({
      api,
      rpcName: `google.longrunning.Operations/${name}`,
      shortName: `${shortNameOf(api)}.${name}`,
      requestType: service.methods[name].resolvedRequestType!,
      responseType: service.methods[name].resolvedResponseType!,
      behaviour,
      mutating: false,
    });
    // Over gRPC every API shares one Operations service (the port cannot tell APIs apart): a list
    // covers every API's operations under the name. Delete and Cancel are not emulated (UNIMPLEMENTED).
    this.grpcServices.push({
      service,
      methods: [
        { name: 'GetOperation', binding: bindingOf('GetOperation', getOperationBehaviour('unknown')) },
        { name: 'WaitOperation', binding: bindingOf('WaitOperation', waitOperationBehaviour('unknown')) },
        { name: 'ListOperations', binding: bindingOf('ListOperations', listOperationsBehaviour(undefined)) },
      ],
    });
    for (const api of this.apis) {
      for (const path of api.operationPaths ?? []) {
        this.addRoute({ verb: 'GET', path }, bindingOf('GetOperation', getOperationBehaviour(api.service), api));
      }
      for (const path of api.operationWaitPaths ?? []) {
        this.addRoute({ verb: 'POST', path, body: '*' }, bindingOf('WaitOperation', waitOperationBehaviour(api.service), api));
      }
      for (const path of api.operationListPaths ?? []) {
        this.addRoute({ verb: 'GET', path }, bindingOf('ListOperations', listOperationsBehaviour(api.service), api));
      }
    }
  }

  private addRoute(rule: HttpRule, method: MethodBinding): void {
    const duplicate = this.routes.find((route) => route.verb === rule.verb && route.template.template === rule.path);
    if (duplicate) {
      // Several APIs may poll operations on the same path (/v1/operations/…): one store serves them all.
      if (duplicate.method.rpcName === method.rpcName && method.rpcName.startsWith('google.longrunning.')) return;
      // APIs that share a path at Google behind different hosts say which requests are theirs.
      const shared = duplicate.method.api !== method.api && duplicate.method.api.claimsRestRequest && method.api.claimsRestRequest;
      if (!shared) throw new Error(`REST route ${rule.verb} ${rule.path} of ${method.rpcName} clashes with ${duplicate.method.rpcName}`);
    }
    this.routes.push({ verb: rule.verb, template: compileTemplate(rule.path), ...(rule.body ? { bodyRule: rule.body } : {}), method });
  }
}
