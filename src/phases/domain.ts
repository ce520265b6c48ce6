// Domain: an optional Cloud Run domain mapping (v1 API only), and the DNS records to create.
import { OperationError } from '../errors.js';
import { absentIfDisabled } from '../engine/context.js';
import { teardownOne, definePhase, type PhasePlan } from '../engine/phase.js';
import { createDomainMapping, deleteDomainMapping, getDomainMapping, type DomainMappingInfo } from '../gcp/apis/run-domains.js';
import { GcpError, isAlreadyExists } from '../gcp/errors.js';
import { lockRecord, recordKey } from '../state/lockfile.js';

interface Live {
  mapping: DomainMappingInfo | undefined;
}

interface Decision {
  create: boolean;
  mapping: DomainMappingInfo | undefined;
}

export const DOMAIN_RECORD = recordKey<{ name: string; records?: DomainMappingInfo['records'] }>('domain');

export const domainPhase = definePhase({
  name: 'domain',
  title: 'Domain mapping',
  needs: ['service'],
  enabled: (config) => Boolean(config.domain),
  apis: () => ['run.googleapis.com'],
  // Cloud Run has no IAM permissions for domain mappings (they need project-level access:
  // https://cloud.google.com/run/docs/reference/iam/permissions); testIamPermissions would refuse the names.
  permissions: () => [],
  clients: ['token'],
  record: DOMAIN_RECORD,

  async read(ctx): Promise<Live> {
    return {
      mapping: await absentIfDisabled(ctx, getDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, ctx.config.domain!), undefined),
    };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const domain = ctx.config.domain!;
    if (!live.mapping) {
      return {
        changes: [{ kind: 'domain mapping', resource: domain, action: 'create', fields: [{ path: 'routeName', to: ctx.config.service }] }],
        decision: { create: true, mapping: undefined },
      };
    }
    if (live.mapping.routeName !== ctx.config.service) {
      return {
        changes: [],
        blockers: [
          new OperationError(`domain ${domain} is already mapped to service ${live.mapping.routeName}`, {
            hint: `remove that mapping first: gcloud beta run domain-mappings delete --domain ${domain} --region ${ctx.config.region}`,
          }),
        ],
        decision: { create: false, mapping: live.mapping },
      };
    }
    return { changes: [], decision: { create: false, mapping: live.mapping } };
  },

  async apply(ctx, decision) {
    const domain = ctx.config.domain!;
    let mapping = decision.mapping;
    if (decision.create) {
      try {
        mapping = await createDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, domain, ctx.config.service);
      } catch (err) {
        // This run's create whose reply was lost (or a killed run's): adopted if it maps this service.
        const adopted = isAlreadyExists(err) ? await getDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, domain) : undefined;
        if (adopted && adopted.routeName !== ctx.config.service) {
          throw new OperationError(`domain ${domain} is already mapped to service ${adopted.routeName}`, {
            hint: `remove that mapping first: gcloud beta run domain-mappings delete --domain ${domain} --region ${ctx.config.region}`,
          });
        }
        if (
          !adopted &&
          err instanceof GcpError &&
          err.code === 'PERMISSION_DENIED' &&
          /not authorized to administer the domain|verified/i.test(err.message)
        ) {
          throw new OperationError(`cannot map ${domain}: Google does not know you as a verified owner of it`, {
            hint: `verify the domain with \`gcloud domains verify ${domain.split('.').slice(-2).join('.')}\` (Search Console "Owner"), then run deploy again`,
            cause: err,
          });
        }
        if (!adopted) throw err;
        mapping = adopted;
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
      record: { name: domain, records },
      summary: mapping?.ready === 'True' ? `${domain} ready` : `${domain} waiting for DNS and certificate`,
    };
  },

  // The configured domain, or the one the lockfile remembers mapping (the config may have dropped it).
  teardown: teardownOne({
    name: (ctx) => ctx.config.domain ?? lockRecord(ctx.lock, DOMAIN_RECORD)?.name,
    exists: (ctx, domain) => getDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, domain),
    kind: 'domain mapping',
    remove: (ctx, domain) => deleteDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, domain),
  }),
});
