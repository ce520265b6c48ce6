// Destroy: removes what the tool created, in reverse order of deploy — domain mapping, service,
// IAM bindings, service account, repository, and (only when asked) the secrets. Not found counts
// as removed, so running it twice is fine. APIs stay enabled: other things may use them.
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState } from '../desired/index.js';
import type { Gcp } from '../gcp/call.js';
import { deleteRepository, getRepository } from '../gcp/apis/artifact-registry.js';
import { deleteServiceAccount, getServiceAccount } from '../gcp/apis/iam.js';
import { hasBinding, readModifyWrite, withoutBinding, type IamPolicy } from '../gcp/apis/iam-policy.js';
import { getProjectPolicy, setProjectPolicy } from '../gcp/apis/resource-manager.js';
import { deleteDomainMapping, getDomainMapping } from '../gcp/apis/run-domains.js';
import { deleteService, getService } from '../gcp/apis/run.js';
import { deleteSecret, getSecret, getSecretPolicy, setSecretPolicy } from '../gcp/apis/secret-manager.js';
import { GcpError } from '../gcp/errors.js';
import type { LockedResources, LockfileData } from '../state/lockfile.js';
import type { EventSink } from './events.js';

export interface DestroyStep {
  kind: string;
  resource: string;
  /** Lockfile entry to drop when done. */
  lockKey?: keyof LockedResources;
  run: () => Promise<void>;
}

export interface DestroyPlan {
  /** Stages run one after another; the steps of a stage run concurrently. */
  stages: DestroyStep[][];
  kept: string[];
}

export interface DestroyOptions {
  config: AtlantisRunConfig;
  gcp: Gcp;
  lock: LockfileData | undefined;
  purgeSecrets: boolean;
  waitTimeoutMs: number;
}

// Absent resources and disabled APIs both mean "nothing to delete here".
async function exists<T>(read: Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof GcpError && (err.code === 'NOT_FOUND' || err.reason === 'SERVICE_DISABLED')) return undefined;
    throw err;
  }
}

export async function planDestroy(options: DestroyOptions): Promise<DestroyPlan> {
  const { config, gcp } = options;
  const desired = desiredState(config, { projectNumber: options.lock?.projectNumber });
  const member = `serviceAccount:${desired.serviceAccount.email}`;
  const domain = config.domain ?? options.lock?.resources.domain?.name;
  const projectRoles = new Set([
    ...config.serviceAccount.roles,
    ...(options.lock?.resources.bindings?.items ?? []).filter((b) => b.resource === `projects/${config.project}`).map((b) => b.role),
  ]);

  const [mapping, service, account, repository, secrets, projectPolicy] = await Promise.all([
    domain ? exists(getDomainMapping(gcp, config.region, config.project, domain)) : undefined,
    exists(getService(gcp, config.names.serviceName)),
    exists(getServiceAccount(gcp, config.project, desired.serviceAccount.email)),
    desired.repository ? exists(getRepository(gcp, desired.repository.name)) : undefined,
    Promise.all(
      desired.secrets.map(async (s) => {
        const secret = await exists(getSecret(gcp, s.resourceName));
        const policy = secret && !options.purgeSecrets ? await exists(getSecretPolicy(gcp, s.resourceName)) : undefined;
        return { desired: s, secret, policy };
      }),
    ),
    projectRoles.size > 0 ? exists(getProjectPolicy(gcp, config.project)) : undefined,
  ]);

  const stages: DestroyStep[][] = [];
  if (mapping && domain) {
    stages.push([
      {
        kind: 'domain mapping',
        resource: domain,
        lockKey: 'domain',
        run: async () => void (await deleteDomainMapping(gcp, config.region, config.project, domain)),
      },
    ]);
  }
  if (service) {
    stages.push([
      {
        kind: 'Cloud Run service',
        resource: config.service,
        lockKey: 'service',
        run: async () => void (await deleteService(gcp, config.names.serviceName, options.waitTimeoutMs)),
      },
    ]);
  }
  const unbind = (
    resource: string,
    role: string,
    policy: IamPolicy | undefined,
    get: () => Promise<IamPolicy>,
    set: (p: IamPolicy) => Promise<IamPolicy>,
  ): DestroyStep[] =>
    hasBinding(policy, role, member)
      ? [
          {
            kind: 'IAM binding',
            resource: `${role} → ${desired.serviceAccount.email} on ${resource}`,
            lockKey: 'bindings',
            run: async () =>
              void (await readModifyWrite({ get, set }, (p) =>
                hasBinding(p, role, member) ? withoutBinding(p, role, member) : undefined,
              )),
          },
        ]
      : [];
  const bindingSteps = [
    ...[...projectRoles].flatMap((role) =>
      unbind(
        `projects/${config.project}`,
        role,
        projectPolicy,
        () => getProjectPolicy(gcp, config.project),
        (p) => setProjectPolicy(gcp, config.project, p),
      ),
    ),
    ...secrets.flatMap((s) =>
      unbind(
        s.desired.resourceName,
        'roles/secretmanager.secretAccessor',
        s.policy,
        () => getSecretPolicy(gcp, s.desired.resourceName),
        (p) => setSecretPolicy(gcp, s.desired.resourceName, p),
      ),
    ),
  ];
  if (bindingSteps.length) stages.push(bindingSteps);

  const last: DestroyStep[] = [];
  if (account)
    last.push({
      kind: 'service account',
      resource: desired.serviceAccount.email,
      lockKey: 'serviceAccount',
      run: async () => void (await deleteServiceAccount(gcp, config.project, desired.serviceAccount.email)),
    });
  if (repository && desired.repository) {
    const name = desired.repository.name;
    last.push({
      kind: 'repository',
      resource: desired.repository.repositoryId,
      lockKey: 'repository',
      run: async () => void (await deleteRepository(gcp, name, options.waitTimeoutMs)),
    });
  }
  const kept: string[] = [];
  for (const s of secrets) {
    if (!s.secret) continue;
    if (options.purgeSecrets)
      last.push({
        kind: 'secret',
        resource: s.desired.secretId,
        lockKey: 'secrets',
        run: async () => void (await deleteSecret(gcp, s.desired.resourceName)),
      });
    else kept.push(s.desired.secretId);
  }
  if (last.length) stages.push(last);
  return { stages, kept };
}

export async function runDestroy(plan: DestroyPlan, emit: EventSink, onDone: (step: DestroyStep) => Promise<void>): Promise<DestroyStep[]> {
  const done: DestroyStep[] = [];
  for (const stage of plan.stages) {
    await Promise.all(
      stage.map(async (step) => {
        await step.run();
        done.push(step);
        emit({ type: 'resource-changed', phase: 'destroy', kind: step.kind, resource: step.resource, action: 'delete' });
        await onDone(step);
      }),
    );
  }
  return done;
}
