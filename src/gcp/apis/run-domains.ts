// Cloud Run domain mappings: only the v1 (Knative-style) API has them, on the regional endpoint.
import { orMissing, type Gcp } from '../call.js';

const API = 'run.googleapis.com';

export interface DomainMappingInfo {
  name: string;
  routeName: string;
  ready: string | undefined;
  message: string | undefined;
  records: { type: string; name: string; rrdata: string }[];
}

function base(gcp: Gcp, region: string, project: string): string {
  return `${gcp.factory.restBase('run-v1', region)}/apis/domains.cloudrun.com/v1/namespaces/${project}/domainmappings`;
}

/** The v1 DomainMapping (Knative style): https://cloud.google.com/run/docs/reference/rest/v1/namespaces.domainmappings */
interface DomainMappingResource {
  metadata?: { name?: string };
  spec?: { routeName?: string };
  status?: {
    conditions?: { type?: string; status?: string; message?: string }[];
    resourceRecords?: { type: string; name?: string; rrdata: string }[];
  };
}

function toInfo(mapping: DomainMappingResource): DomainMappingInfo {
  const ready = (mapping.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return {
    name: mapping.metadata?.name ?? '',
    routeName: mapping.spec?.routeName ?? '',
    ready: ready?.status,
    message: ready?.message,
    records: (mapping.status?.resourceRecords ?? []).map((r) => ({
      type: r.type,
      name: r.name ?? '',
      rrdata: r.rrdata,
    })),
  };
}

export async function getDomainMapping(gcp: Gcp, region: string, project: string, domain: string): Promise<DomainMappingInfo | undefined> {
  const url = `${base(gcp, region, project)}/${domain}`;
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'GetDomainMapping', resource: domain }, () => gcp.factory.request<DomainMappingResource>({ url })),
  );
  return found ? toInfo(found) : undefined;
}

export async function createDomainMapping(
  gcp: Gcp,
  region: string,
  project: string,
  domain: string,
  routeName: string,
): Promise<DomainMappingInfo> {
  const body = {
    apiVersion: 'domains.cloudrun.com/v1',
    kind: 'DomainMapping',
    metadata: { name: domain, namespace: project, labels: { 'managed-by': 'atlantis-run' } },
    spec: { routeName, certificateMode: 'AUTOMATIC' },
  };
  const created = await gcp.caller.run({ api: API, method: 'CreateDomainMapping', resource: domain, mutating: true }, () =>
    gcp.factory.request<DomainMappingResource>({ url: base(gcp, region, project), method: 'POST', body }),
  );
  return toInfo(created);
}

export async function deleteDomainMapping(gcp: Gcp, region: string, project: string, domain: string): Promise<boolean> {
  const url = `${base(gcp, region, project)}/${domain}`;
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'DeleteDomainMapping', resource: domain, mutating: true }, () =>
        gcp.factory.request({ url, method: 'DELETE' }).then(() => true),
      ),
    ),
  );
}

/**
 * The domains the caller may map — verified in Search Console, with their subdomains
 * (https://cloud.google.com/run/docs/reference/rest/v1/namespaces.authorizeddomains/list).
 */
export async function listAuthorizedDomains(gcp: Gcp, region: string, project: string): Promise<string[]> {
  const url = `${gcp.factory.restBase('run-v1', region)}/apis/domains.cloudrun.com/v1/namespaces/${project}/authorizeddomains`;
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await gcp.caller.run({ api: API, method: 'ListAuthorizedDomains', resource: `namespaces/${project}` }, () =>
      gcp.factory.request<{ domains?: { id?: string; name?: string }[]; nextPageToken?: string }>({
        url,
        ...(pageToken ? { params: { pageToken } } : {}),
      }),
    );
    for (const d of page.domains ?? []) {
      const id = d.id ?? d.name?.split('/').pop();
      if (id) ids.push(id.toLowerCase());
    }
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return ids;
}

/** Whether `domain` is one of `authorized` or a subdomain of one. */
export function isAuthorizedFor(domain: string, authorized: readonly string[]): boolean {
  const d = domain.toLowerCase();
  return authorized.some((a) => d === a || d.endsWith(`.${a}`));
}
