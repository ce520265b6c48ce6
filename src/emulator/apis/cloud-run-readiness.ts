// Whether a Cloud Run revision can become Ready, checked when its deploy operation completes
// (so anything fixed while the operation runs counts, as at Google): every container image is
// pullable, the revision's service account exists, every referenced secret version exists,
// is enabled and is readable by that service account, and every Cloud Storage volume's bucket
// exists and may be mounted by it. Each problem becomes one line of Google's
// message; the texts follow real Cloud Run failures:
//   Revision 'x-00001-abc' is not ready and cannot serve traffic. Image 'gcr.io/p/i:tag' not found.
//   …spec.template.spec.containers[0].env[12].value_from.secret_key_ref.name: Permission denied on
//   secret: projects/P/secrets/S/versions/latest for Revision service account sa@p.iam.gserviceaccount.com.
//   The service account used must be granted the 'Secret Manager Secret Accessor' role
//   (roles/secretmanager.secretAccessor) at the secret, project or higher level.
//   …env[0].value_from.secret_key_ref.name: Secret projects/N/secrets/S/versions/latest was not found
// (Cloud Run keeps v1 field paths in these messages even on the v2 API.)
import { imageStatus } from './artifact-registry.js';
import { canAccessSecret, secretVersionStatus } from './secret-manager.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { EmulatorServices } from '../core/services.js';
import { isUserManagedServiceAccountEmail } from '../core/service-accounts.js';
import { parseSecretReference } from './cloud-run-validation.js';
import { parseNetworkReference, parseSubnetworkReference } from '../core/networks.js';
import { holdsPermission } from './iam-grants.js';
import { findBucket, missingBucketPermission, storageAccessDenied } from './storage-access.js';

/** google.cloud.run.v2.Condition.CommonReason values used for revision failures. */
export type FailureReason =
  'CONTAINER_MISSING' | 'CONTAINER_PERMISSION_DENIED' | 'SECRETS_ACCESS_CHECK_FAILED' | 'VPC_NETWORK_NOT_FOUND' | 'UNKNOWN';

export interface ReadinessProblem {
  reason: FailureReason;
  message: string;
}

export interface ReadinessInput {
  projectId: string;
  projectNumber: string;
  /** The service's region (Direct VPC egress needs a subnetwork there). */
  location: string;
  /** The revision's containers, volumes and service account (defaults applied). */
  template: JsonObject;
}

function list(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** Does the service account exist (and is it visible yet, after --iam-propagation-delay, and enabled)? */
function serviceAccountProblem(services: EmulatorServices, email: string, now: number): ReadinessProblem | undefined {
  // Google-managed accounts (the default compute account, service agents) always exist.
  if (!isUserManagedServiceAccountEmail(email)) return undefined;
  const account = services.serviceAccounts.find(email);
  const visible = account && now - account.createTime >= services.options.iamPropagationDelayMs;
  if (visible && !account.disabled) return undefined;
  const state = visible ? 'is disabled' : 'does not exist';
  return {
    reason: 'CONTAINER_PERMISSION_DENIED',
    message: `spec.template.spec.serviceAccountName: Service account ${email} ${state}.`,
  };
}

interface SecretUse {
  /** v1 field path Google names in the message. */
  path: string;
  reference: string;
  version: string;
}

/** Every secret version the revision reads: env `secretKeyRef`s and secret volumes (whole secret = latest). */
function secretUses(template: JsonObject): SecretUse[] {
  const uses: SecretUse[] = [];
  list(template.containers).forEach((container, containerIndex) => {
    list(container.env).forEach((variable, envIndex) => {
      const ref =
        isJsonObject(variable.valueSource) && isJsonObject(variable.valueSource.secretKeyRef)
          ? variable.valueSource.secretKeyRef
          : undefined;
      if (!ref) return;
      uses.push({
        path: `spec.template.spec.containers[${containerIndex}].env[${envIndex}].value_from.secret_key_ref.name`,
        reference: text(ref.secret),
        version: text(ref.version) || 'latest',
      });
    });
  });
  list(template.volumes).forEach((volume, volumeIndex) => {
    const secret = isJsonObject(volume.secret) ? volume.secret : undefined;
    if (!secret) return;
    const items = list(secret.items);
    if (items.length === 0) {
      uses.push({
        path: `spec.template.spec.volumes[${volumeIndex}].secret.secretName`,
        reference: text(secret.secret),
        version: 'latest',
      });
    }
    items.forEach((item, itemIndex) => {
      uses.push({
        path: `spec.template.spec.volumes[${volumeIndex}].secret.items[${itemIndex}].key`,
        reference: text(secret.secret),
        version: text(item.version) || 'latest',
      });
    });
  });
  return uses;
}

/** `projects/P/secrets/S/versions/V` as Google shows it: the project number for a bare secret id, the given project otherwise. */
function shownVersionName(use: SecretUse, projectNumber: string): string {
  const parsed = parseSecretReference(use.reference);
  const secret = parsed?.project ? use.reference : `projects/${projectNumber}/secrets/${parsed?.secret ?? use.reference}`;
  return `${secret}/versions/${use.version}`;
}

/** Where Cloud Run reports Direct VPC egress problems (its v1 field, an annotation). */
const NETWORK_INTERFACES_PATH = 'spec.template.metadata.annotations[run.googleapis.com/network-interfaces]';

/**
 * Direct VPC egress: the network and subnetwork exist (and are ready), the subnetwork is in the
 * service's region and belongs to the network. Without a subnetwork, the one named like the network
 * is used (the NetworkInterface proto's rule).
 */
function vpcEgressProblems(services: EmulatorServices, input: ReadinessInput): ReadinessProblem[] {
  const vpc = isJsonObject(input.template.vpcAccess) ? input.template.vpcAccess : undefined;
  const networkInterface = list(vpc?.networkInterfaces)[0];
  if (!networkInterface) return [];
  const problem = (message: string): ReadinessProblem[] => [
    { reason: 'VPC_NETWORK_NOT_FOUND', message: `${NETWORK_INTERFACES_PATH}: ${message}` },
  ];
  const networkRef = text(networkInterface.network);
  const network = networkRef ? parseNetworkReference(networkRef, input.projectId, { allowBareName: true }) : undefined;
  if (network && !services.networks.network(network.projectId, network.name)?.ready) {
    return problem(`The resource 'projects/${network.projectId}/global/networks/${network.name}' was not found`);
  }
  const subnetRef = text(networkInterface.subnetwork) || network?.name || '';
  const subnet = parseSubnetworkReference(subnetRef, network?.projectId ?? input.projectId, input.location);
  if (!subnet) return [];
  const subnetName = `projects/${subnet.projectId}/regions/${subnet.region}/subnetworks/${subnet.name}`;
  const record = services.networks.subnetwork(subnet.projectId, subnet.region, subnet.name);
  if (!record?.ready) return problem(`The resource '${subnetName}' was not found`);
  if (subnet.region !== input.location) {
    return problem(
      `Subnetwork '${subnetName}' is in region ${subnet.region}, but the service is in ${input.location}: Direct VPC egress needs a subnetwork in the service's region.`,
    );
  }
  if (network && (record.network !== network.name || subnet.projectId !== network.projectId)) {
    return problem(`Subnetwork "${subnetName}" is not valid for Network "${network.name}".`);
  }
  return [];
}

/** Everything that keeps the revision from becoming Ready (empty: it becomes Ready). */
export function readinessProblems(services: EmulatorServices, input: ReadinessInput, now = Date.now()): ReadinessProblem[] {
  const problems: ReadinessProblem[] = [];
  for (const container of list(input.template.containers)) {
    const image = text(container.image);
    const status = imageStatus(services, image);
    if (!status.pullable) problems.push({ reason: 'CONTAINER_MISSING', message: status.reason ?? `Image '${image}' not found.` });
  }
  problems.push(...vpcEgressProblems(services, input));
  const serviceAccount = text(input.template.serviceAccount);
  const accountProblem = serviceAccountProblem(services, serviceAccount, now);
  if (accountProblem) problems.push(accountProblem);
  if (!accountProblem) problems.push(...gcsVolumeProblems(services, input, serviceAccount));
  for (const use of secretUses(input.template)) {
    const shown = shownVersionName(use, input.projectNumber);
    const status = secretVersionStatus(services, input.projectId, use.reference, use.version);
    if (!status.exists) {
      problems.push({ reason: 'SECRETS_ACCESS_CHECK_FAILED', message: `${use.path}: Secret ${shown} was not found` });
    } else if (!status.enabled) {
      const resolved = status.name.endsWith(`/versions/${use.version}`) ? '' : ` (resolves to ${status.name})`;
      problems.push({ reason: 'SECRETS_ACCESS_CHECK_FAILED', message: `${use.path}: Secret ${shown}${resolved} is not in ENABLED state` });
    } else if (!accountProblem && !canAccessSecret(services, input.projectId, use.reference, `serviceAccount:${serviceAccount}`)) {
      problems.push({
        reason: 'SECRETS_ACCESS_CHECK_FAILED',
        message: `${use.path}: Permission denied on secret: ${shown} for Revision service account ${serviceAccount}. The service account used must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project or higher level.`,
      });
    }
  }
  return problems;
}

/** What mounting a Cloud Storage volume needs (docs: Storage Object Viewer to read, Storage Object User to write). */
const GCS_READ = ['storage.objects.get', 'storage.objects.list'];
const GCS_WRITE = [...GCS_READ, 'storage.objects.create', 'storage.objects.delete'];

/**
 * Every Cloud Storage volume's bucket exists and the revision's service account may use it as
 * mounted (read-only or read-write). The lines quote Storage's own errors, which is what the
 * mount (gcsfuse, running as the service account) gets.
 */
function gcsVolumeProblems(services: EmulatorServices, input: ReadinessInput, serviceAccount: string): ReadinessProblem[] {
  const problems: ReadinessProblem[] = [];
  const member = `serviceAccount:${serviceAccount}`;
  list(input.template.volumes).forEach((volume, index) => {
    const gcs = isJsonObject(volume.gcs) ? volume.gcs : undefined;
    if (!gcs) return;
    const needed = gcs.readOnly === true ? GCS_READ : GCS_WRITE;
    const at = `spec.template.spec.volumes[${index}].csi: Cloud Storage volume "${text(volume.name)}" cannot be mounted`;
    const bucket = findBucket(services, text(gcs.bucket));
    let reason: string | undefined;
    if (!bucket) {
      // Only a project-level grant lets the account learn that the bucket does not exist.
      const mayKnow = holdsPermission(services, {
        member,
        permission: 'storage.objects.list',
        resourcePolicies: [],
        projectNumber: input.projectNumber,
      });
      reason = mayKnow ? 'The specified bucket does not exist.' : storageAccessDenied(serviceAccount, 'storage.objects.list', 'bucket');
    } else {
      const missing = missingBucketPermission(services, bucket, member, needed);
      if (missing) reason = storageAccessDenied(serviceAccount, missing, 'bucket');
    }
    if (reason) problems.push({ reason: 'UNKNOWN', message: `${at}: ${reason}` });
  });
  return problems;
}
