// APIs: batch-get their state, batch-enable only the missing ones, wait for the operation.
import { definePhase } from '../engine/phase.js';
import { enableServices, serviceStates } from '../gcp/apis/service-usage.js';
import { progress } from './read-helpers.js';

interface Live {
  states: Record<string, string>;
}

export const apisPhase = definePhase<Live>({
  name: 'apis',
  title: 'Enabling APIs',
  needs: ['preflight'],
  enabled: () => true,

  async read(ctx) {
    return { states: await serviceStates(ctx.gcp, ctx.config.project, ctx.desired().apis) };
  },

  plan(ctx, live) {
    const apis = ctx.desired().apis;
    const missing = apis.filter((api) => live.states[api] !== 'ENABLED');
    ctx.facts.enabledApis = new Set(apis);
    return {
      changes: missing.map((api) => ({
        kind: 'API',
        resource: api,
        action: 'update' as const,
        fields: [{ path: 'state', from: live.states[api] ?? 'DISABLED', to: 'ENABLED' }],
      })),
    };
  },

  async apply(ctx, _live, plan) {
    const missing = plan.changes.map((c) => c.resource);
    if (missing.length > 0) {
      await enableServices(ctx.gcp, ctx.config.project, missing, ctx.waitTimeoutMs, progress(ctx, 'apis', 'enabling', missing.join(', ')));
      for (const api of missing) ctx.emit({ type: 'resource-changed', phase: 'apis', kind: 'API', resource: api, action: 'update' });
    }
    const apis = ctx.desired().apis;
    return {
      record: { apis: { enabled: apis } },
      summary: missing.length ? `enabled ${missing.length} API${missing.length > 1 ? 's' : ''}` : `${apis.length} APIs enabled`,
    };
  },
});
