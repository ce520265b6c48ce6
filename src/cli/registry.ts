// Every command the CLI lists. Only metadata lives here; each handler module loads on use.
import { defineCommand, type CommandDefinition } from './command.js';

export const commands: CommandDefinition[] = [
  defineCommand({
    name: 'render',
    summary: 'print every resource as it would be sent to Google Cloud, offline',
    description:
      'Builds the desired state from atlantis-run.yaml without calling Google Cloud: APIs, the Artifact Registry\n' +
      'repository, secrets (names only), the runtime service account and its bindings, and the Cloud Run v2\n' +
      'Service. What only the cloud knows (project number, secret versions) comes from the lockfile, or is\n' +
      'shown as a <placeholder>.',
    usesConfig: true,
    examples: ['atlantis-run render', 'atlantis-run render --json | jq .service.template.containers[0].env'],
    load: () => import('./commands/render.js'),
  }),
];
