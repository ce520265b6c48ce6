// IAM v1 service accounts: REST only (no Node client covers them), through the factory's
// authorized requests.
import { orMissing, type Gcp } from '../call.js';

const API = 'iam.googleapis.com';

export interface ServiceAccountInfo {
  email: string;
  uniqueId: string;
  displayName: string;
  description: string;
  disabled: boolean;
}

/** The REST resource, as IAM returns it (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts). */
interface ServiceAccountResource {
  email: string;
  uniqueId?: string;
  displayName?: string;
  description?: string;
  disabled?: boolean;
}

function toInfo(sa: ServiceAccountResource): ServiceAccountInfo {
  return {
    email: sa.email,
    uniqueId: sa.uniqueId ?? '',
    displayName: sa.displayName ?? '',
    description: sa.description ?? '',
    disabled: Boolean(sa.disabled),
  };
}

export async function getServiceAccount(gcp: Gcp, project: string, email: string): Promise<ServiceAccountInfo | undefined> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts/${encodeURIComponent(email)}`;
  const sa = await orMissing(
    gcp.caller.run({ api: API, method: 'GetServiceAccount', resource: email }, () => gcp.factory.request<ServiceAccountResource>({ url })),
  );
  return sa ? toInfo(sa) : undefined;
}

export async function createServiceAccount(
  gcp: Gcp,
  project: string,
  accountId: string,
  fields: { displayName: string; description: string },
): Promise<ServiceAccountInfo> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts`;
  const sa = await gcp.caller.run(
    { api: API, method: 'CreateServiceAccount', resource: `${accountId}@${project}.iam.gserviceaccount.com`, mutating: true },
    () => gcp.factory.request<ServiceAccountResource>({ url, method: 'POST', body: { accountId, serviceAccount: fields } }),
  );
  return toInfo(sa);
}

export async function updateServiceAccount(
  gcp: Gcp,
  project: string,
  email: string,
  fields: { displayName: string; description: string },
): Promise<void> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts/${encodeURIComponent(email)}`;
  await gcp.caller.run({ api: API, method: 'PatchServiceAccount', resource: email, mutating: true }, () =>
    gcp.factory.request({
      url,
      method: 'PATCH',
      body: { serviceAccount: { ...fields }, updateMask: 'displayName,description' },
    }),
  );
}

export async function deleteServiceAccount(gcp: Gcp, project: string, email: string): Promise<boolean> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts/${encodeURIComponent(email)}`;
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'DeleteServiceAccount', resource: email, mutating: true }, () =>
        gcp.factory.request({ url, method: 'DELETE' }).then(() => true),
      ),
    ),
  );
}
