// Every API the emulator serves. Adding an API = a new file exporting a `defineApi(...)` and a line here.
import type { ApiDefinition } from '../core/api.js';
import { artifactRegistryApi } from './artifact-registry.js';
import { billingCatalogApi } from './billing-catalog.js';
import { cloudBuildApi } from './cloud-build.js';
import { cloudRunApi } from './cloud-run.js';
import { computeApi } from './compute.js';
import { filestoreApi } from './filestore.js';
import { iamApi } from './iam.js';
import { loggingApi } from './logging.js';
import { oauth2Api } from './oauth2.js';
import { redisApi } from './redis.js';
import { resourceManagerApi } from './resource-manager.js';
import { secretManagerApi } from './secret-manager.js';
import { serviceUsageApi } from './service-usage.js';
import { storageApi } from './storage.js';

export const ALL_APIS: ApiDefinition[] = [
  serviceUsageApi,
  resourceManagerApi,
  iamApi,
  secretManagerApi,
  artifactRegistryApi,
  cloudBuildApi,
  cloudRunApi,
  loggingApi,
  billingCatalogApi,
  storageApi,
  computeApi,
  redisApi,
  filestoreApi,
  oauth2Api,
];
