// Every phase, in a stable order (the runner orders them by `needs`). Adding a phase is a new file
// in this folder and one entry here (ARCHITECTURE.md, "Adding a phase").
import type { AtlantisRunConfig } from '../config/load.js';
import { requirementsOf } from '../engine/phase.js';
import { apisPhase } from './apis.js';
import { bindingsPhase } from './bindings.js';
import { buildAccessPhase } from './build-access.js';
import { buildIdentityPhase } from './build-identity.js';
import { buildRepositoryPhase } from './build-repository.js';
import { buildPhase } from './build.js';
import { domainPhase } from './domain.js';
import { domainOwnerPhase } from './domain-owner.js';
import { identityPhase } from './identity.js';
import { imagePhase } from './image.js';
import { preflightPhase } from './preflight.js';
import { registryPhase } from './repository.js';
import { secretsPhase } from './secrets.js';
import { servicePhase } from './service.js';
import { networkPhase, subnetPhase } from './network.js';
import { plansBucketPhase } from './plans-bucket.js';
import { redisPhase } from './redis.js';
import { filestorePhase } from './filestore.js';
import { sourceBucketPhase } from './source-bucket.js';

export const PHASES = [
  preflightPhase,
  apisPhase,
  registryPhase,
  secretsPhase,
  identityPhase,
  bindingsPhase,
  imagePhase,
  servicePhase,
  domainPhase,
  networkPhase,
  subnetPhase,
  plansBucketPhase,
  redisPhase,
  filestorePhase,
  domainOwnerPhase,
  buildRepositoryPhase,
  buildIdentityPhase,
  sourceBucketPhase,
  buildAccessPhase,
  buildPhase,
] as const;

export type PhaseName = (typeof PHASES)[number]['name'];

/** The APIs, permissions and clients a deploy of `config` needs, as its phases declare them. */
export function deployRequirements(config: AtlantisRunConfig) {
  return requirementsOf(PHASES, config);
}
