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

/**
 * Service agents, `service-PROJECT_NUMBER@DOMAIN`: the Google-managed accounts an API acts as in a
 * project. Domains and APIs as Google's "Service agents" reference lists them; an agent exists once
 * its API is enabled in the project (some are created later at Google, e.g. Artifact Registry's on
 * the first repository — the emulator does not model that).
 */
export const SERVICE_AGENT_DOMAINS: Readonly<Record<string, string>> = {
  'serverless-robot-prod.iam.gserviceaccount.com': 'run.googleapis.com',
  'gcp-sa-artifactregistry.iam.gserviceaccount.com': 'artifactregistry.googleapis.com',
  'gcp-sa-cloudbuild.iam.gserviceaccount.com': 'cloudbuild.googleapis.com',
  'compute-system.iam.gserviceaccount.com': 'compute.googleapis.com',
  'gcp-sa-secretmanager.iam.gserviceaccount.com': 'secretmanager.googleapis.com',
  'containerregistry.iam.gserviceaccount.com': 'containerregistry.googleapis.com',
  'container-engine-robot.iam.gserviceaccount.com': 'container.googleapis.com',
  'gcp-sa-pubsub.iam.gserviceaccount.com': 'pubsub.googleapis.com',
  'cloud-redis.iam.gserviceaccount.com': 'redis.googleapis.com',
  'cloud-filer.iam.gserviceaccount.com': 'file.googleapis.com',
  'gcp-sa-vpcaccess.iam.gserviceaccount.com': 'vpcaccess.googleapis.com',
  'service-networking.iam.gserviceaccount.com': 'servicenetworking.googleapis.com',
  'gcp-sa-iap.iam.gserviceaccount.com': 'iap.googleapis.com',
  'gcp-sa-cloudscheduler.iam.gserviceaccount.com': 'cloudscheduler.googleapis.com',
  'gcf-admin-robot.iam.gserviceaccount.com': 'cloudfunctions.googleapis.com',
  'gcp-sa-eventarc.iam.gserviceaccount.com': 'eventarc.googleapis.com',
  'gcp-sa-workflows.iam.gserviceaccount.com': 'workflows.googleapis.com',
  'gcp-sa-logging.iam.gserviceaccount.com': 'logging.googleapis.com',
  'gcp-sa-monitoring-notification.iam.gserviceaccount.com': 'monitoring.googleapis.com',
  'gcp-sa-certificatemanager.iam.gserviceaccount.com': 'certificatemanager.googleapis.com',
};

const SERVICE_AGENT = /^service-([1-9][0-9]*)@([a-z][-a-z0-9.]*\.iam\.gserviceaccount\.com)$/;

export interface ServiceAgent {
  projectNumber: string;
  /** The API that owns the agent; undefined for a `gcp-sa-*` domain the emulator does not know. */
  service?: string;
}

/** The service agent an email names, if it has the shape of one (`service-NUMBER@…`, a known or `gcp-sa-*` domain). */
export function serviceAgentOf(email: string): ServiceAgent | undefined {
  const match = SERVICE_AGENT.exec(email);
  if (!match) return undefined;
  const [, projectNumber, domain] = match as unknown as [string, string, string];
  const service = SERVICE_AGENT_DOMAINS[domain];
  if (service) return { projectNumber, service };
  return domain.startsWith('gcp-sa-') ? { projectNumber } : undefined;
}

export function serviceAccountEmail(accountId: string, projectId: string): string {
  return `${accountId}@${projectId}.iam.gserviceaccount.com`;
}

/** The project id inside a user-managed service account email, if it is one. */
export function projectOfServiceAccountEmail(email: string): string | undefined {
  const project = USER_MANAGED_EMAIL.exec(email)?.[2];
  // Service agents (service-NUMBER@gcp-sa-artifactregistry.iam.gserviceaccount.com) share the domain shape but are Google's.
  if (!project || project.startsWith('gcp-sa-') || SERVICE_AGENT_DOMAINS[`${project}.iam.gserviceaccount.com`]) return undefined;
  return project;
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
