// The one place that creates Google clients. It alone knows endpoints, transport (gRPC or REST),
// credentials and the emulator. Every client library is imported lazily, on first use, so a
// command that needs one API does not load the others (and `--help` loads none).
import type { AuthClient } from 'google-auth-library';
import type { ClientOptions } from 'google-gax';
import { UsageError } from '../errors.js';
import { credentialsError } from './credentials.js';

export type Transport = 'grpc' | 'rest';

// Every generated client the tool uses: the module that defines the client's class, imported on first
// use. Not the package's index, which loads every other client of the library and its static
// protos.js (megabytes of code a run never calls) — `npm run build` refuses a bundle that does.
const CLIENTS = {
  services: async () => (await import('@google-cloud/run/build/src/v2/services_client.js')).ServicesClient,
  revisions: async () => (await import('@google-cloud/run/build/src/v2/revisions_client.js')).RevisionsClient,
  secretManager: async () =>
    (await import('@google-cloud/secret-manager/build/src/v1/secret_manager_service_client.js')).SecretManagerServiceClient,
  artifactRegistry: async () =>
    (await import('@google-cloud/artifact-registry/build/src/v1/artifact_registry_client.js')).ArtifactRegistryClient,
  projects: async () => (await import('@google-cloud/resource-manager/build/src/v3/projects_client.js')).ProjectsClient,
  serviceUsage: async () => (await import('@google-cloud/service-usage/build/src/v1/service_usage_client.js')).ServiceUsageClient,
  redis: async () => (await import('@google-cloud/redis/build/src/v1/cloud_redis_client.js')).CloudRedisClient,
  filestore: async () =>
    (await import('@google-cloud/filestore/build/src/v1/cloud_filestore_manager_client.js')).CloudFilestoreManagerClient,
  cloudBuild: async () => (await import('@google-cloud/cloudbuild/build/src/v1/cloud_build_client.js')).CloudBuildClient,
};

export type ClientName = keyof typeof CLIENTS;
export type ClientOf<K extends ClientName> = InstanceType<Awaited<ReturnType<(typeof CLIENTS)[K]>>>;
/** What a phase reads with: a generated client, or `token` for the REST-only APIs (IAM, the registry). */
export type ClientNeed = ClientName | 'token';

export interface FactoryOptions {
  /** host:port of the local emulator (ATLANTIS_RUN_EMULATOR_HOST), or undefined for Google. */
  emulatorHost?: string | undefined;
  transport?: Transport;
  /** Service account to impersonate (--impersonate-service-account). */
  impersonate?: string | undefined;
  /** host:port of a plain-HTTP OCI registry standing in for *-docker.pkg.dev (ATLANTIS_RUN_REGISTRY_HOST). */
  registryHost?: string | undefined;
  /** The environment credentials come from (GOOGLE_APPLICATION_CREDENTIALS), for error messages. */
  env?: NodeJS.ProcessEnv;
}

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
// The emulator accepts any bearer token on REST and needs none over its plaintext gRPC channel.
const EMULATOR_TOKEN = 'atlantis-run-emulator-token';

export function factoryOptionsFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<FactoryOptions> = {}): FactoryOptions {
  const transport = (overrides.transport ?? env.ATLANTIS_RUN_TRANSPORT ?? 'grpc').toLowerCase();
  if (transport !== 'grpc' && transport !== 'rest') {
    throw new UsageError(`ATLANTIS_RUN_TRANSPORT: expected grpc or rest, got "${transport}"`);
  }
  const emulatorHost = overrides.emulatorHost ?? (env.ATLANTIS_RUN_EMULATOR_HOST || undefined);
  if (emulatorHost && !/^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(emulatorHost)) {
    throw new UsageError(`ATLANTIS_RUN_EMULATOR_HOST: expected 127.0.0.1:PORT, got "${emulatorHost}"`, {
      hint: 'the emulator only listens on loopback; use the line `atlantis-run emulator` printed',
    });
  }
  return {
    emulatorHost,
    transport,
    impersonate:
      overrides.impersonate ?? (env.ATLANTIS_RUN_IMPERSONATE_SERVICE_ACCOUNT || env.CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT || undefined),
    registryHost: overrides.registryHost ?? (env.ATLANTIS_RUN_REGISTRY_HOST || undefined),
    env,
  };
}

export class ClientFactory {
  readonly options: Required<Pick<FactoryOptions, 'transport'>> & FactoryOptions;
  private authPromise: Promise<AuthClient> | undefined;
  private identityPromise: Promise<string | undefined> | undefined;
  /** The service account e-mail the credentials name, when they name one (a key, a workload identity configuration). */
  private credentialsEmail: string | undefined;
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(options: FactoryOptions = {}) {
    this.options = { transport: 'grpc', ...options };
  }

  get usingEmulator(): boolean {
    return this.options.emulatorHost !== undefined;
  }

  /**
   * Credentials: fixed test credentials for the emulator; ADC (optionally impersonated) otherwise,
   * with a first access token fetched at once, so that missing, unreadable or refused credentials
   * and an unreachable Google are one classified error before any API call (src/gcp/credentials.ts).
   */
  auth(): Promise<AuthClient> {
    this.authPromise ??= (async () => {
      const gal = await import('google-auth-library');
      if (this.usingEmulator) {
        const client = new gal.OAuth2Client();
        client.setCredentials({ access_token: EMULATOR_TOKEN, expiry_date: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
        return client;
      }
      try {
        const google = new gal.GoogleAuth({ scopes: [CLOUD_PLATFORM] });
        const source = await google.getClient();
        this.credentialsEmail = emailOf(source);
        const client = this.options.impersonate
          ? new gal.Impersonated({
              sourceClient: source,
              targetPrincipal: this.options.impersonate,
              targetScopes: [CLOUD_PLATFORM],
              lifetime: 3600,
            })
          : source;
        await client.getAccessToken();
        return client;
      } catch (err) {
        throw credentialsError(err, { env: this.options.env ?? process.env, impersonate: this.options.impersonate });
      }
    })();
    return this.authPromise;
  }

  async accessToken(): Promise<string> {
    const auth = await this.auth();
    try {
      const { token } = await auth.getAccessToken();
      if (!token) throw new Error('no access token');
      return token;
    } catch (err) {
      throw credentialsError(err, { env: this.options.env ?? process.env, impersonate: this.options.impersonate });
    }
  }

  /**
   * Who the calls are made as (an e-mail), for messages about missing permissions: the impersonated
   * account, the account the credentials name, or what Google's tokeninfo says of the access token
   * (user credentials name no one). Undefined when it cannot be told; never fails.
   */
  identity(): Promise<string | undefined> {
    this.identityPromise ??= (async () => {
      if (this.options.impersonate) return this.options.impersonate;
      await this.auth();
      if (this.credentialsEmail) return this.credentialsEmail;
      const info = await this.request<{ email?: string }>({
        url: `${this.restBase('oauth2')}/tokeninfo`,
        params: { access_token: await this.accessToken() },
      });
      return typeof info.email === 'string' && info.email ? info.email : undefined;
    })().catch(() => undefined);
    return this.identityPromise;
  }

  /** Constructor options every generated client takes: endpoint, transport, credentials. */
  private async clientOptions(): Promise<ClientOptions> {
    const authClient = await this.auth();
    const rest = this.options.transport === 'rest';
    if (!this.options.emulatorHost) return { authClient, ...(rest ? { fallback: true } : {}) };
    const { host, port } = splitHostPort(this.options.emulatorHost);
    if (rest) return { authClient, apiEndpoint: host, port, protocol: 'http', fallback: true };
    const { grpc } = await import('google-gax');
    return { authClient, apiEndpoint: host, port, sslCreds: grpc.credentials.createInsecure() };
  }

  /** The client library client `name`, created once (and its library loaded) on first use. */
  client<K extends ClientName>(name: K): Promise<ClientOf<K>> {
    let existing = this.cache.get(name) as Promise<ClientOf<K>> | undefined;
    if (!existing) {
      existing = Promise.all([CLIENTS[name](), this.clientOptions(), import('./lazy-protos.js')]).then(
        ([Client, options, { lazyGax }]) => new Client(options, lazyGax) as ClientOf<K>,
      );
      this.cache.set(name, existing);
    }
    return existing;
  }

  /**
   * Creates the given clients, ready to call (and the access token, for REST-only APIs) concurrently, before any
   * call is made. Loading a client library takes a good part of a second; doing it up front lets
   * every independent read start at the same moment instead of trickling out as each library loads.
   * The runner passes what the enabled phases declare they read with.
   */
  async warmUp(needs: readonly ClientNeed[]): Promise<void> {
    // initialize() builds the client's gRPC stub (its service's messages, serializers), which its
    // first call would otherwise do: then REST and gRPC reads leave together.
    const ready = (name: ClientName) => this.client(name).then((c) => c.initialize());
    await Promise.all(needs.map((need) => (need === 'token' ? this.accessToken() : ready(need))));
  }

  /**
   * Base URL of a REST-only API. Regional hosts (Cloud Run v1 domain mappings, the Docker registry)
   * are reached on the emulator as http://EMULATOR/hosts/<hostname>/…, keeping the region. Compute
   * and Cloud Storage include their path prefix (`/compute/v1`, `/storage/v1`), which the emulator
   * serves at the same place on its one port; the Cloud Billing Catalog answers at `/v1/services`.
   */
  restBase(api: 'iam' | 'logging' | 'oauth2' | 'run-v1' | 'registry' | 'compute' | 'storage' | 'cloudbilling', region?: string): string {
    // Cloud Storage's root: its JSON API is under /storage/v1, media uploads under /upload/storage/v1.
    if (api === 'storage') return this.options.emulatorHost ? `http://${this.options.emulatorHost}` : 'https://storage.googleapis.com';
    if (api === 'compute' || api === 'cloudbilling') {
      const google = {
        compute: 'https://compute.googleapis.com/compute/v1',
        cloudbilling: 'https://cloudbilling.googleapis.com/v1',
      }[api];
      return this.options.emulatorHost ? `http://${this.options.emulatorHost}${new URL(google).pathname}` : google;
    }
    const host =
      api === 'iam'
        ? 'iam.googleapis.com'
        : api === 'oauth2'
          ? 'oauth2.googleapis.com'
          : api === 'logging'
            ? 'logging.googleapis.com'
            : api === 'run-v1'
              ? `${requireRegion(region)}-run.googleapis.com`
              : `${requireRegion(region)}-docker.pkg.dev`;
    if (api === 'registry' && this.options.registryHost) return `http://${this.options.registryHost}`;
    if (!this.options.emulatorHost) return `https://${host}`;
    // Global hosts share the emulator's root; regional ones keep their host name under /hosts/.
    return api === 'iam' || api === 'logging' ? `http://${this.options.emulatorHost}` : `http://${this.options.emulatorHost}/hosts/${host}`;
  }

  /** An authorized JSON request to a REST-only API (IAM service accounts, Cloud Run v1, Cloud Logging). */
  async request<T>(options: {
    url: string;
    method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
    body?: unknown;
    params?: Record<string, string>;
    /** Raw bytes sent as they are (Storage media uploads), with their content type. */
    headers?: Record<string, string>;
  }): Promise<T> {
    const auth = await this.auth();
    const response = await auth.request<T>({
      url: options.url,
      method: options.method ?? 'GET',
      ...(options.body !== undefined ? { data: options.body } : {}),
      ...(options.params ? { params: options.params } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      responseType: 'json',
      retry: false,
    });
    return response.data;
  }

  /**
   * An authorized request whose body and answer are text (Cloud Storage media uploads and
   * downloads), with the answer's headers (lower-case names).
   */
  async requestText(options: {
    url: string;
    method?: 'GET' | 'POST' | 'DELETE';
    body?: string;
    contentType?: string;
    params?: Record<string, string>;
  }): Promise<{ text: string; headers: Record<string, string> }> {
    const auth = await this.auth();
    const response = await auth.request<string>({
      url: options.url,
      method: options.method ?? 'GET',
      ...(options.body !== undefined ? { data: options.body, headers: { 'Content-Type': options.contentType ?? 'text/plain' } } : {}),
      ...(options.params ? { params: options.params } : {}),
      responseType: 'text',
      retry: false,
    });
    const headers: Record<string, string> = {};
    const raw = response.headers as unknown as Headers | Record<string, string>;
    if (typeof (raw as Headers).forEach === 'function' && typeof (raw as Headers).get === 'function') {
      (raw as Headers).forEach((value, name) => (headers[name.toLowerCase()] = value));
    } else {
      for (const [name, value] of Object.entries(raw)) headers[name.toLowerCase()] = String(value);
    }
    return { text: typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? ''), headers };
  }

  /** Closes every client created (gRPC channels keep the process alive otherwise). */
  async close(): Promise<void> {
    const clients = await Promise.allSettled([...this.cache.values()]);
    this.cache.clear();
    await Promise.allSettled(
      clients.map(async (c) => {
        if (c.status === 'fulfilled') await (c.value as { close?: () => Promise<void> }).close?.();
      }),
    );
  }
}

/** The service account a credentials client names: a key's `email`, a workload identity configuration's impersonated account. */
function emailOf(client: AuthClient): string | undefined {
  const c = client as { email?: unknown; getServiceAccountEmail?: () => string | null };
  if (typeof c.email === 'string' && c.email) return c.email;
  return c.getServiceAccountEmail?.() ?? undefined;
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(i + 1)) };
}

function requireRegion(region: string | undefined): string {
  if (!region) throw new Error('a region is required for this endpoint');
  return region;
}
