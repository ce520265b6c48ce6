// The shared services every handler and operation completer works with.
import type { OperationCompleter } from './api.js';
import { IamPolicyStore } from './iam-policy.js';
import { LogEntryStore } from './log-entries.js';
import { NetworkDirectory } from './networks.js';
import { OperationStore } from './operations.js';
import type { ResolvedOptions } from './options.js';
import { ProjectDirectory } from './projects.js';
import { ServiceAccountDirectory } from './service-accounts.js';
import type { StateStore } from './state.js';

export interface EmulatorServices {
  readonly options: ResolvedOptions;
  /** Raw state, for API-specific collections: `store.collection<T>('run.services')`. */
  readonly store: StateStore;
  readonly projects: ProjectDirectory;
  readonly operations: OperationStore;
  readonly iamPolicies: IamPolicyStore;
  readonly serviceAccounts: ServiceAccountDirectory;
  /** Cloud Logging entries written by the emulated services (read by apis/logging.ts). */
  readonly logs: LogEntryStore;
  /** VPC networks, subnetworks and peered ranges (Compute owns them; Memorystore, Filestore and Cloud Run look them up). */
  readonly networks: NetworkDirectory;
  /** Every permission the served APIs' methods may check (`permissionsCheckedBy`): part of what IAM knows. */
  readonly checkedPermissions: readonly string[];
}

export function createServices(
  options: ResolvedOptions,
  store: StateStore,
  completerOf: (api: string, action: string) => OperationCompleter | undefined,
  checkedPermissions: readonly string[] = [],
): EmulatorServices {
  const serviceAccounts = new ServiceAccountDirectory(store);
  const projects = new ProjectDirectory(store, () => Date.now());
  const services: EmulatorServices = {
    options,
    store,
    projects,
    operations: new OperationStore(store, options.operationDelayMs, completerOf, () => services),
    iamPolicies: new IamPolicyStore(store, serviceAccounts, options),
    serviceAccounts,
    logs: new LogEntryStore(store),
    networks: new NetworkDirectory(store, projects, () => Date.now()),
    checkedPermissions,
  };
  return services;
}
