// The IAM API (iam.googleapis.com v1), REST only: service accounts and their IAM policies, workload
// identity pools and providers, custom and predefined roles, testable permissions. One definition
// for the one Service Usage name; each resource family has its own file.
import { defineApi } from '../core/api.js';
import { roleRoutes } from './iam-roles.js';
import { serviceAccountRoutes } from './iam-service-accounts.js';
import { WORKLOAD_IDENTITY_OPERATION_PATHS, workloadIdentityCompleters, workloadIdentityRoutes } from './iam-workload-identity.js';

export const iamApi = defineApi({
  service: 'iam.googleapis.com',
  title: 'Identity and Access Management (IAM) API',
  // No IAM admin client package exists; this one carries current google.iam.v1 types for the policy routes.
  protoPackage: '@google-cloud/resource-manager',
  legacyRestErrors: true,
  restRoutes: [...serviceAccountRoutes(), ...workloadIdentityRoutes(), ...roleRoutes()],
  operationPaths: WORKLOAD_IDENTITY_OPERATION_PATHS,
  operationCompleters: workloadIdentityCompleters,
});
