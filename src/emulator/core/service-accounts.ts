// Service accounts are owned by the IAM API file, but other parts need to know whether one exists
// (IAM policy members, and later Cloud Run revisions), so their storage and lookups live here.
import type { StateStore } from './state.js';

export const SERVICE_ACCOUNTS_COLLECTION = 'iam.serviceAccounts';

export interface ServiceAccountRecord {
  projectId: string;
  accountId: string;
  email: string;
  uniqueId: string;
  displayName?: string;
  description?: string;
  etag: string;
  /** ms since epoch: the IAM-propagation-delay rule counts from here. */
  createTime: number;
  disabled?: boolean;
}

/** `ID@PROJECT.iam.gserviceaccount.com`: the accounts users create (Google-managed ones have other domains). */
const USER_MANAGED_EMAIL = /^([a-z][-a-z0-9]*[a-z0-9])@([a-z][-a-z0-9]*[a-z0-9])\.iam\.gserviceaccount\.com$/;

export function serviceAccountEmail(accountId: string, projectId: string): string {
  return `${accountId}@${projectId}.iam.gserviceaccount.com`;
}

/** The project id inside a user-managed service account email, if it is one. */
export function projectOfServiceAccountEmail(email: string): string | undefined {
  const project = USER_MANAGED_EMAIL.exec(email)?.[2];
  // Service agents (service-NUMBER@gcp-sa-run.iam.gserviceaccount.com) share the domain shape but are Google's.
  return project && !project.startsWith('gcp-sa-') ? project : undefined;
}

export function isUserManagedServiceAccountEmail(email: string): boolean {
  return projectOfServiceAccountEmail(email) !== undefined;
}

export class ServiceAccountDirectory {
  constructor(private readonly store: StateStore) {}

  private get collection() {
    return this.store.collection<ServiceAccountRecord>(SERVICE_ACCOUNTS_COLLECTION);
  }

  /** By email or by 21-digit unique id. */
  find(emailOrUniqueId: string): ServiceAccountRecord | undefined {
    const byEmail = this.collection.get(emailOrUniqueId);
    if (byEmail) return byEmail;
    return this.collection.values().find((account) => account.uniqueId === emailOrUniqueId);
  }

  listInProject(projectId: string): ServiceAccountRecord[] {
    return this.collection
      .values()
      .filter((account) => account.projectId === projectId)
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  save(account: ServiceAccountRecord): void {
    this.collection.set(account.email, account);
  }

  delete(email: string): boolean {
    return this.collection.delete(email);
  }
}
