// Every phase, in a stable order (the runner orders them by `needs`).
import type { Phase } from '../engine/phase.js';
import { apisPhase } from './apis.js';
import { bindingsPhase } from './bindings.js';
import { domainPhase } from './domain.js';
import { identityPhase } from './identity.js';
import { imagePhase } from './image.js';
import { preflightPhase } from './preflight.js';
import { registryPhase } from './registry.js';
import { secretsPhase } from './secrets.js';
import { servicePhase } from './service.js';

export const PHASES: Phase<any>[] = [
  preflightPhase,
  apisPhase,
  registryPhase,
  secretsPhase,
  identityPhase,
  bindingsPhase,
  imagePhase,
  servicePhase,
  domainPhase,
];
