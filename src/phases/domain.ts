// Domain: an optional Cloud Run domain mapping (v1 API only), and the DNS records to create.
import { OperationError } from '../errors.js';
import { definePhase } from '../engine/phase.js';
import { createDomainMapping, getDomainMapping, type DomainMappingInfo } from '../gcp/apis/run-domains.js';
import { GcpError } from '../gcp/errors.js';
import { unlessApiDisabled } from './read-helpers.js';

interface Live {
  mapping: DomainMappingInfo | undefined;
}

export const domainPhase = definePhase<Live>({
  name: 'domain',
  title: 'Domain mapping',
  needs: ['service'],
  enabled: (config) => Boolean(config.domain),

  async read(ctx) {
    return {
      mapping: await unlessApiDisabled(
        ctx,
        getDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, ctx.config.domain!),
        undefined,
      ),
    };
  },

  plan(ctx, live) {
    const domain = ctx.config.domain!;
    if (!live.mapping)
      return {
        changes: [{ kind: 'domain mapping', resource: domain, action: 'create', fields: [{ path: 'routeName', to: ctx.config.service }] }],
      };
    if (live.mapping.routeName !== ctx.config.service) {
      return {
        changes: [],
        blockers: [
          new OperationError(`domain ${domain} is already mapped to service ${live.mapping.routeName}`, {
            hint: `remove that mapping first: gcloud beta run domain-mappings delete --domain ${domain} --region ${ctx.config.region}`,
          }),
        ],
      };
    }
    return { changes: [] };
  },

  async apply(ctx, live, plan) {
    const domain = ctx.config.domain!;
    let mapping = live.mapping;
    if (plan.changes.length > 0) {
      try {
        mapping = await createDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, domain, ctx.config.service);
      } catch (err) {
        if (
          err instanceof GcpError &&
          err.code === 'PERMISSION_DENIED' &&
          /not authorized to administer the domain|verified/i.test(err.message)
        ) {
          throw new OperationError(`cannot map ${domain}: Google does not know you as a verified owner of it`, {
            hint: `verify the domain with \`gcloud domains verify ${domain.split('.').slice(-2).join('.')}\` (Search Console "Owner"), then run deploy again`,
            cause: err,
          });
        }
        throw err;
      }
      ctx.emit({ type: 'resource-changed', phase: 'domain', kind: 'domain mapping', resource: domain, action: 'create' });
    }
    const records = mapping?.records ?? [];
    if (records.length > 0) {
      ctx.emit({
        type: 'info',
        phase: 'domain',
        message: `DNS records to create for ${domain}:\n${records.map((r) => `  ${r.name || domain}  ${r.type}  ${r.rrdata}`).join('\n')}`,
      });
    }
    return {
      record: { domain: { name: domain, records } },
      summary: mapping?.ready === 'True' ? `${domain} ready` : `${domain} waiting for DNS and certificate`,
    };
  },
});
