// Domain ownership: Google maps a domain only for a verified owner of it (or of a parent domain).
// The domain mapping itself is created last, after the service; finding out there that the caller
// may not map it would leave every other resource created for nothing. So this phase checks first:
// at plan time when the Cloud Run API is enabled, otherwise right after the APIs phase enabled it —
// and the phases that create resources wait for it (they need it; without a domain it is disabled
// and they wait for the APIs, as before).
import { OperationError } from '../errors.js';
import { absentIfDisabled } from '../engine/context.js';
import { definePhase, type PhaseContext, type PhasePlan } from '../engine/phase.js';
import { getDomainMapping, isAuthorizedFor, listAuthorizedDomains } from '../gcp/apis/run-domains.js';
import { GcpError } from '../gcp/errors.js';

interface Live {
  /** The mapping already exists: nothing to create, nothing to check. */
  mapped: boolean;
  /** The caller's authorized domains; undefined while the Cloud Run API is disabled. */
  authorized: string[] | undefined;
  /** The caller may not list them: ownership cannot be known before the mapping is created. */
  listDenied: boolean;
}

interface Decision {
  /** Check once the APIs are enabled (the list could not be read at plan time). */
  verifyAtApply: boolean;
}

/** Only ownership itself needs a domain's apex: `gcloud domains verify` takes the registrable name. */
function apexOf(domain: string): string {
  return domain.split('.').slice(-2).join('.');
}

function notOwner(ctx: PhaseContext, authorized: readonly string[]): OperationError {
  const domain = ctx.config.domain!;
  const known = authorized.length ? `the domains you may map: ${authorized.join(', ')}` : 'you may map no domain yet';
  return new OperationError(`cannot map ${domain}: Google does not know you as a verified owner of it or of a parent domain (${known})`, {
    hint: `verify it with \`gcloud domains verify ${apexOf(domain)}\` (Search Console "Owner") as the account this tool runs as, then run the command again; or remove domain: from the configuration`,
  });
}

async function readAuthorized(ctx: PhaseContext): Promise<Pick<Live, 'authorized' | 'listDenied'>> {
  try {
    const authorized = await absentIfDisabled(ctx, listAuthorizedDomains(ctx.gcp, ctx.config.region, ctx.config.project), undefined);
    return { authorized, listDenied: false };
  } catch (err) {
    if (err instanceof GcpError && err.code === 'PERMISSION_DENIED') return { authorized: undefined, listDenied: true };
    throw err;
  }
}

export const domainOwnerPhase = definePhase({
  name: 'domain-owner',
  title: 'Checking the domain can be mapped',
  needs: ['apis'],
  enabled: (config) => Boolean(config.domain),
  apis: () => ['run.googleapis.com'],
  // Listing authorized domains is documented with run.authorizeddomains.list, which Google's
  // permission catalogue (and so testIamPermissions) does not know: not declared, a denial warns.
  permissions: () => [],
  clients: ['token'],

  async read(ctx): Promise<Live> {
    const [mapping, authorized] = await Promise.all([
      absentIfDisabled(ctx, getDomainMapping(ctx.gcp, ctx.config.region, ctx.config.project, ctx.config.domain!), undefined),
      readAuthorized(ctx),
    ]);
    return { mapped: mapping !== undefined, ...authorized };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const domain = ctx.config.domain!;
    if (live.mapped) return { changes: [], decision: { verifyAtApply: false } };
    if (live.listDenied) {
      return {
        changes: [],
        warnings: [
          {
            message: `cannot tell whether you may map ${domain} (listing your authorized domains was refused); the mapping is created last`,
            hint: 'verify the domain first if it is not: gcloud domains verify ' + apexOf(domain),
          },
        ],
        decision: { verifyAtApply: false },
      };
    }
    if (live.authorized === undefined) {
      return {
        changes: [],
        warnings: [
          {
            message: `whether you may map ${domain} is checked once run.googleapis.com is enabled, before anything else is created`,
          },
        ],
        decision: { verifyAtApply: true },
      };
    }
    if (!isAuthorizedFor(domain, live.authorized)) {
      return { changes: [], blockers: [notOwner(ctx, live.authorized)], decision: { verifyAtApply: false } };
    }
    return { changes: [], decision: { verifyAtApply: false } };
  },

  async apply(ctx, decision) {
    const domain = ctx.config.domain!;
    if (decision.verifyAtApply) {
      const { authorized } = await readAuthorized(ctx);
      if (authorized === undefined) {
        ctx.emit({
          type: 'warning',
          phase: 'domain-owner',
          message: `cannot tell whether you may map ${domain}; the mapping is created last`,
        });
      } else if (!isAuthorizedFor(domain, authorized)) throw notOwner(ctx, authorized);
    }
    return { summary: `you may map ${domain}` };
  },
});
