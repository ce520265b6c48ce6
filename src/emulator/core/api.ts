// What an API file exports: one `ApiDefinition`, built with `defineApi`. The core turns it into
// gRPC handlers, REST routes (from the protos' google.api.http rules, plus `restRoutes` for
// REST-only APIs, and `rawRoutes` for non-JSON protocols) and request-log / fault / enablement /
// permission plumbing. See README.md,
// "Adding an API".
import type { ApiError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import type { EmulatorServices } from './services.js';

/** Everything a handler may use: the shared services plus facts about the call in progress. */
export interface CallContext extends EmulatorServices {
  readonly transport: 'grpc' | 'rest';
  /** The API whose method is running. */
  readonly api: ApiDefinition;
  /** Full RPC name, e.g. `google.api.serviceusage.v1.ServiceUsage/EnableService`. */
  readonly rpcName: string;
  /** When the call arrived (ms since epoch); use it for createTime/updateTime. */
  readonly now: number;
  /**
   * Whether `--deny` takes `permission` from the caller, for checks a handler makes itself (beyond the
   * method's `permission`, which the pipeline checks). The permission must be one the method declares
   * (`permission` or `alsoChecks`): an undeclared one is an emulator bug and fails the call INTERNAL, so
   * the list of permissions the emulator checks (`permissionsCheckedBy`) cannot fall behind the code.
   */
  isDenied(permission: string): boolean;
}

// Handlers get parsed proto3 JSON; typing each request precisely buys little, so requests are
// loosely typed objects and handlers read the fields they need.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Request = Record<string, any>;

export interface MethodBehaviour<Req extends Request = Request> {
  /** The IAM permission the call needs (checked against `--deny`), e.g. `serviceusage.services.enable`. */
  permission?: string | ((request: Req) => string | undefined);
  /**
   * Other permissions the handler may check in some cases (with `ctx.isDenied`), e.g. `iam.serviceAccounts.actAs`
   * when a deploy names a service account. A `permission` given as a function lists its possible values here.
   */
  alsoChecks?: readonly string[];
  /** The resource the call is about, for the request log and error messages. */
  resource: (request: Req) => string;
  /**
   * The project whose API enablement applies (an id, a number, or undefined to skip the check).
   * Defaults to the `projects/X` segment of `resource`.
   */
  project?: (request: Req, services: EmulatorServices) => string | undefined;
  /** The API to name in the request log, when it is not the defining API (GetOperation). */
  logApi?: (request: Req, services: EmulatorServices) => string | undefined;
  /**
   * Whether the method changes state. Defaults from the method name: Get*, List*, BatchGet*,
   * Search*, Access*, Lookup*, TestIamPermissions and GetIamPolicy are read-only, the rest mutate.
   */
  mutating?: boolean;
  handle: (request: Req, ctx: CallContext) => JsonValue | Promise<JsonValue>;
}

/** A REST route that has no google.api.http rule to come from (REST-only APIs such as IAM v1). */
export interface RestRoute<Req extends Request = Request> extends MethodBehaviour<Req> {
  verb: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path template in google.api.http syntax: `/v1/{name=projects/*}/serviceAccounts`. */
  path: string;
  /** Where the JSON body goes: `*` = the whole request, a field name = that field, omitted = no body. */
  body?: string;
  /** The stable synthetic RPC name used in the request log and fault specs, e.g. `google.iam.admin.v1.IAM/CreateServiceAccount`. */
  rpcName: string;
  /**
   * Optional proto types (full names, found in the API's `protoPackage` descriptors) used to validate the
   * request and normalise the response exactly as for proto-backed methods.
   */
  requestType?: string;
  responseType?: string;
}

/**
 * A request as a raw HTTP route sees it (plain JSON, so the pipeline can carry it like any request).
 * Header names are lower-case; repeated headers are joined with ", ".
 */
export type RawHttpRequest = {
  /** The verb as sent, `HEAD` included. */
  method: string;
  /** The URL path as sent (not decoded). */
  path: string;
  /** The path template's variables, decoded. */
  params: Record<string, string>;
  /** Query parameters, every value of each. */
  query: Record<string, string[]>;
  headers: Record<string, string>;
  /** The request body as UTF-8 text ('' when there is none); base64 of the bytes for a route with `binaryBody`. */
  body: string;
};

/** What a raw HTTP route answers: any status, headers and a text body (sent as UTF-8; never sent for HEAD). */
export type RawHttpResponse = {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** `base64`: `body` holds base64 and is sent as the bytes it encodes (media downloads). */
  bodyEncoding?: 'base64';
};

/**
 * A raw HTTP route, for protocols that are not Google's JSON REST (the Docker Registry HTTP API v2:
 * HEAD requests, non-JSON answers, custom status codes and headers, its own authentication). The
 * call still goes through the common pipeline (latency, faults, API enablement, `--deny`, the
 * request log); only the decoding of the request and the rendering of the answer and of errors
 * belong to the route.
 */
export interface RawHttpRoute {
  verbs: Array<'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  /** A path template in google.api.http syntax: `/hosts/{host}/v2/{name=**}/manifests/{reference}`. */
  path: string;
  /** The stable synthetic RPC name for the request log and fault specs, e.g. `docker.registry.v2/GetManifest`. */
  rpcName: string;
  /** The body is bytes (media uploads): the handler gets it base64-encoded in `body`. */
  binaryBody?: boolean;
  permission?: string | ((request: RawHttpRequest) => string | undefined);
  /** As for other methods: further permissions the handler may check, and the possible values of a `permission` function. */
  alsoChecks?: readonly string[];
  /** The resource the call is about; its `projects/X` segment decides API enablement unless `project` says otherwise. */
  resource: (request: RawHttpRequest) => string;
  project?: (request: RawHttpRequest, services: EmulatorServices) => string | undefined;
  /** Defaults from the method name, as for other methods. */
  mutating?: boolean;
  /**
   * Whether the request carries credentials the route accepts (default: an `Authorization: Bearer`
   * header). When it does not, the pipeline fails the call UNAUTHENTICATED and `renderError`
   * turns that into the protocol's own challenge.
   */
  authenticated?: (request: RawHttpRequest) => boolean;
  handle: (request: RawHttpRequest, ctx: CallContext) => RawHttpResponse | Promise<RawHttpResponse>;
  /** Renders any error of the call (the handler's, or the pipeline's: authentication, faults, enablement, `--deny`). */
  renderError: (error: ApiError, request: RawHttpRequest) => RawHttpResponse;
}

/**
/**
 * A REST request on a path that another API serves too (at Google the two live on different
 * hosts), as `claimsRestRequest` sees it: before decoding, with its path variables, query
 * parameters and JSON body.
 */
export interface SharedRestRequest {
  verb: string;
  path: string;
  pathBindings: Record<string, string>;
  query: Record<string, string>;
  body: JsonValue | undefined;
}

/**
 * Runs when a long-running operation becomes due; its result becomes the operation's outcome:
 * `response`, or `error` (as does a thrown ApiError), and in both cases new `metadata` if given.
 */
export type OperationCompleter = (
  payload: JsonValue,
  services: EmulatorServices,
) => { response?: JsonObject; metadata?: JsonObject; error?: ApiError };

export interface ApiDefinition {
  /** The service name, as Service Usage knows it: `serviceusage.googleapis.com`. */
  service: string;
  /** The title Google shows in errors: `Service Usage API`. */
  title: string;
  /** Short prefix for fault specs and logs (`serviceusage` → `serviceusage.EnableService`); defaults to the service's first label. */
  shortName?: string;
  /** npm package whose `build/protos/protos.json` holds this API's types: `grpcServices`, and `restRoutes` request/response types. */
  protoPackage?: string;
  /**
   * More descriptor files whose services and types this API serves: Google's mixins, e.g.
   * `google.cloud.location.Locations` from `{package: 'google-gax', file: 'build/protos/locations.json'}`.
   */
  mixinProtos?: Array<{ package: string; file: string }>;
  /** Fully-qualified proto services to serve over gRPC and (via google.api.http) REST. */
  grpcServices?: string[];
  /** Behaviour per RPC, keyed by full RPC name (`pkg.Service/Method`). Methods without one answer UNIMPLEMENTED. */
  methods?: Record<string, MethodBehaviour>;
  /** REST-only routes. */
  restRoutes?: RestRoute[];
  /** Raw HTTP routes (non-JSON protocols served on the same port, e.g. the Docker Registry API). */
  rawRoutes?: RawHttpRoute[];
  /** REST templates of this API's `google.longrunning.Operations.GetOperation`, e.g. `/v1/{name=operations/*}`. */
  operationPaths?: string[];
  // REST templates of its `Operations.WaitOperation` (POST, body `*`), e.g. `/v2/{name=projects/*/locations/*/operations/*}:wait`.
  operationWaitPaths?: string[];
  // REST templates of its `Operations.ListOperations`, e.g. `/v2/{name=projects/*/locations/*}/operations`.
  operationListPaths?: string[];
  /** Named completions for this API's long-running operations (persisted by name with the operation). */
  operationCompleters?: Record<string, OperationCompleter>;
  /** REST error bodies carry the legacy `errors: [{message, domain, reason}]` array (IAM v1 does). */
  legacyRestErrors?: boolean;
  /**
   * Renders this API's REST error bodies itself (Compute Engine's `{error: {code, message, errors:
   * [{domain, reason, message}]}}` has no `status` and its own reasons). Overrides `legacyRestErrors`.
   */
  restErrorBody?: (error: ApiError) => Record<string, unknown>;
  /**
   * For APIs whose REST paths equal another API's (Memorystore and Filestore: `/v1/{parent=projects/*
   * /locations/*}/instances`): whether a request on such a path is this API's (the resource exists
   * here, the body has this API's fields, …). Both APIs must declare it. Unclaimed requests go to
   * the API enabled in the project, else to the first registered; `/hosts/SERVICE/…` picks exactly.
   */
  claimsRestRequest?: (request: SharedRestRequest, services: EmulatorServices) => boolean;
}

/** Identity function that gives an API file type checking and editor help. */
export function defineApi(definition: ApiDefinition): ApiDefinition {
  return definition;
}

/** Types a method's request shape while keeping the definition a plain object. */
export function method<Req extends Request>(behaviour: MethodBehaviour<Req>): MethodBehaviour {
  return behaviour as unknown as MethodBehaviour;
}

/** Same for raw HTTP routes. */
export function rawRoute(route: RawHttpRoute): RawHttpRoute {
  return route;
}

/** Same for REST-only routes. */
export function restRoute<Req extends Request>(route: RestRoute<Req>): RestRoute {
  return route as unknown as RestRoute;
}

const READ_ONLY_METHOD = /^(Get|List|BatchGet|Search|Access|Lookup|TestIamPermissions|Check)/;

export function isMutatingMethod(methodName: string, declared?: boolean): boolean {
  return declared ?? !READ_ONLY_METHOD.test(methodName);
}

/** `run.googleapis.com` → `run`. */
export function shortNameOf(api: ApiDefinition): string {
  return api.shortName ?? api.service.split('.')[0];
}
