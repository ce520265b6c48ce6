// Projects: every well-formed project id exists, with a stable 12-digit project number derived
// from the id, and starts like a new Google Cloud project (only Service Usage and Resource
// Manager enabled). A project is recorded in the state the first time anything names it.
import { createHash } from 'node:crypto';
import { ApiError, errorInfo } from './errors.js';
import type { StateStore } from './state.js';

export type ServiceState = 'ENABLED' | 'DISABLED';

export interface ProjectRecord {
  projectId: string;
  projectNumber: string;
  /** RFC 3339; the moment the emulator first saw the project. */
  createTime: string;
  /** Services this project has a record of (enabled now, or once). Absent = never enabled = DISABLED. */
  services: Record<string, ServiceState>;
  /**
   * When each service was last enabled and last called (ms since epoch), for Service Usage's
   * `checkIfServiceHasUsage: CHECK`. The initially enabled services have no entry (enabled long ago).
   */
  serviceActivity?: Record<string, ServiceActivity>;
  /** Set by Resource Manager's projects.update (v1 `name`); absent = the id, as gcloud shows a project created without one. */
  displayName?: string;
  labels?: Record<string, string>;
  /** v1 `parent` (`{type, id}`), once set by an update. */
  parent?: { type: string; id: string };
  /** RFC 3339; the last projects.update. */
  updateTime?: string;
}

export interface ServiceActivity {
  enableTime?: number;
  lastUseTime?: number;
}

/**
 * Like a brand-new Google Cloud project: Service Usage and Resource Manager (as the recordings of
 * projects created through the API show), and Cloud Storage — the "Cloud Storage", "Cloud Storage
 * API" and "Google Cloud Storage JSON API" services Google lists as enabled by default in a new
 * project (https://cloud.google.com/service-usage/docs/enabled-service#default). The rest of that
 * list (BigQuery, Logging, Monitoring, …) names APIs the emulator does not serve.
 */
export const INITIALLY_ENABLED_SERVICES = [
  'serviceusage.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'storage.googleapis.com',
  'storage-api.googleapis.com',
  'storage-component.googleapis.com',
];

/** Google's rule: 6–30 characters, lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PROJECT_NUMBER = /^[1-9][0-9]{0,18}$/;

export function isValidProjectId(projectId: string): boolean {
  return PROJECT_ID.test(projectId);
}

export function isProjectNumber(reference: string): boolean {
  return PROJECT_NUMBER.test(reference);
}

/** A stable 12-digit number that never starts with 0, derived from the project id. */
export function projectNumberFor(projectId: string): string {
  const digest = createHash('sha256').update(`atlantis-run-emulator:${projectId}`).digest();
  const value = digest.readBigUInt64BE(0) % 900_000_000_000n;
  return String(100_000_000_000n + value);
}

/** `projects/abc/services/x` → `abc`; undefined when the name has no project segment. */
export function projectSegmentOf(resourceName: string): string | undefined {
  const match = /(?:^|\/)projects\/([^/]+)/.exec(resourceName);
  return match?.[1];
}

export class ProjectDirectory {
  constructor(
    private readonly store: StateStore,
    private readonly now: () => number,
  ) {}

  /**
   * The project named by id or number. A valid id not seen before is recorded now; a number
   * resolves only to a project already seen by id (the emulator cannot invert the derivation).
   */
  find(reference: string): ProjectRecord | undefined {
    const projects = this.store.data.projects;
    if (isProjectNumber(reference)) {
      return Object.values(projects).find((project) => project.projectNumber === reference);
    }
    if (!isValidProjectId(reference)) return undefined;
    let project = projects[reference];
    if (!project) {
      const services: Record<string, ServiceState> = {};
      for (const service of INITIALLY_ENABLED_SERVICES) services[service] = 'ENABLED';
      project = {
        projectId: reference,
        projectNumber: projectNumberFor(reference),
        createTime: new Date(this.now()).toISOString(),
        services,
      };
      projects[reference] = project;
      this.store.markDirty();
    }
    return project;
  }

  /** Like `find`, but answers an unknown project the way Google's front end does for `service`. */
  require(reference: string, service: string): ProjectRecord {
    const project = this.find(reference);
    if (!project) {
      throw new ApiError('PERMISSION_DENIED', `Permission denied on resource project ${reference}.`, [
        errorInfo('CONSUMER_INVALID', 'googleapis.com', { consumer: `projects/${reference}`, service }),
      ]);
    }
    return project;
  }

  serviceState(project: ProjectRecord, service: string): ServiceState {
    return project.services[service] ?? 'DISABLED';
  }

  isServiceEnabled(project: ProjectRecord, service: string): boolean {
    return this.serviceState(project, service) === 'ENABLED';
  }

  setServiceState(project: ProjectRecord, service: string, state: ServiceState): void {
    if (state === 'ENABLED' && project.services[service] !== 'ENABLED') this.activityOf(project, service).enableTime = this.now();
    project.services[service] = state;
    this.store.markDirty();
  }

  /**
   * A call to `service` in this project (its usage). Kept with the state but not a change worth a
   * save of its own: it is written with the next change.
   */
  noteUse(project: ProjectRecord, service: string): void {
    this.activityOf(project, service).lastUseTime = this.now();
  }

  activity(project: ProjectRecord, service: string): ServiceActivity {
    return { ...project.serviceActivity?.[service] };
  }

  private activityOf(project: ProjectRecord, service: string): ServiceActivity {
    project.serviceActivity ??= {};
    return (project.serviceActivity[service] ??= {});
  }
}
