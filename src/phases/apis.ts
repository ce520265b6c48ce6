// APIs: batch-get the state of every API the enabled phases declare, batch-enable only the missing
// ones, wait for the operation. APIs stay enabled on destroy: other things may use them.
import { definePhase } from '../engine/phase.js';
import { progress } from '../engine/context.js';
import { enableServices, serviceStates } from '../gcp/apis/service-usage.js';
import { recordKey } from '../state/lockfile.js';

interface Live {
  states: Record<string, string>;
}

export const APIS_RECORD = recordKey<{ enabled: string[] }>('apis');

export const apisPhase = definePhase({
  name: 'apis',
  title: 'Enabling APIs',
  needs: ['preflight'],
  enabled: () => true,
  apis: () => [],
  permissions: () => ['serviceusage.services.get', 'serviceusage.services.enable'],
  clients: ['serviceUsage'],
  record: APIS_RECORD,

  async read(ctx): Promise<Live> {
    return { states: await serviceStates(ctx.gcp, ctx.config.project, ctx.requirements.apis) };
  },

  plan(ctx, live) {
    const missing = ctx.requirements.apis.filter((api) => live.states[api] !== 'ENABLED');
    return {
      changes: missing.map((api) => ({
        kind: 'API',
        resource: api,
        action: 'update' as const,
        fields: [{ path: 'state', from: live.states[api] ?? 'DISABLED', to: 'ENABLED' }],
      })),
      decision: { missing },
    };
  },

  async apply(ctx, { missing }) {
    if (missing.length > 0) {
      await enableServices(
        ctx.gcp,
        ctx.config.project,
        missing,
        ctx.waitTimeoutMs,
        progress(ctx.emit, 'apis', 'enabling', missing.join(', ')),
      );
      for (const api of missing) ctx.emit({ type: 'resource-changed', phase: 'apis', kind: 'API', resource: api, action: 'update' });
    }
    const apis = ctx.requirements.apis;
    return {
      record: { enabled: apis },
      summary: missing.length ? `enabled ${missing.length} API${missing.length > 1 ? 's' : ''}` : `${apis.length} APIs enabled`,
    };
  },
});
