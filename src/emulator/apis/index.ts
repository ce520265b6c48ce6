// Every API the emulator serves. Adding an API = a new file exporting a `defineApi(...)` and a line here.
import type { ApiDefinition } from '../core/api.js';
import { artifactRegistryApi } from './artifact-registry.js';
import { cloudBuildApi } from './cloud-build.js';
import { cloudRunApi } from './cloud-run.js';
import { computeApi } from './compute.js';
import { filestoreApi } from './filestore.js';
import { iamServiceAccountsApi } from './iam-service-accounts.js';
import { redisApi } from './redis.js';
import { resourceManagerApi } from './resource-manager.js';
import { secretManagerApi } from './secret-manager.js';
import { serviceUsageApi } from './service-usage.js';

export const ALL_APIS: ApiDefinition[] = [
  serviceUsageApi,
  resourceManagerApi,
  iamServiceAccountsApi,
  secretManagerApi,
  artifactRegistryApi,
  cloudBuildApi,
  cloudRunApi,
  computeApi,
  redisApi,
  filestoreApi,
];
