// Build: the Atlantis image of image.strategy build — a recipe's generated Dockerfile or the user's
// context, FROM the configured Atlantis version through the ghcr.io proxy by digest — built on Cloud
// Build or locally, only when no image with its content-hash tag is in the build repository yet.
// The service is then deployed by the digest the build reports; a failed build stops the deploy
// before the service phase, so nothing changes on the service.
import { definePhase, type PhaseContext, type PhasePlan, type Warning } from '../engine/phase.js';
import { BUILT_AT_DEPLOY, desiredState, proxiedAtlantisImage, type DesiredBuild } from '../desired/index.js';
import { resolveTool } from '../atlantis/tools.js';
import { buildWithCloudBuild, type BuiltImage } from '../image-build/cloud-build.js';
import { readContext, type BuildContext } from '../image-build/context.js';
import { BUILD_RECORD, buildRecordOf, computeInputs, rebuildReasons, type BuildInputs } from '../image-build/inputs.js';
import { buildLocally, findBuilder } from '../image-build/local.js';
import { loadRecipeTemplates } from '../image-build/recipe.js';
import { findImage, isRepositoryAbsent, resolveImage } from '../image-build/registry.js';
import { lockRecord } from '../state/lockfile.js';
import type { AtlantisRunConfig } from '../config/load.js';

interface Live {
  context: BuildContext | undefined;
  /** Undefined while the proxy repository (or its API) is not there yet: resolved when applying. */
  inputs: BuildInputs | undefined;
  /** The image already built for these inputs. */
  found: { reference: string; digest: string } | undefined;
}

type Decision = { action: 'none'; inputs: BuildInputs; image: { reference: string; digest: string } } | { action: 'build'; live: Live };

const buildOf = (ctx: PhaseContext): DesiredBuild => ctx.desired().build!;
const isCloud = (config: AtlantisRunConfig) => config.image.strategy === 'build' && config.image.builder === 'cloud-build';
const isContext = (config: AtlantisRunConfig) => config.image.strategy === 'build' && config.image.context !== undefined;

/** The base image by digest through the proxy; undefined while the proxy or its API does not exist yet. */
async function resolveBase(ctx: PhaseContext): Promise<string | undefined> {
  try {
    return (await resolveImage(ctx.gcp, proxiedAtlantisImage(ctx.config))).reference;
  } catch (err) {
    // Before the first deploy the registry phase creates the proxy; a missing tag is a real error.
    if (isRepositoryAbsent(err)) return undefined;
    throw err;
  }
}

async function inputsFor(ctx: PhaseContext, base: string, context: BuildContext | undefined): Promise<BuildInputs> {
  return computeInputs(buildOf(ctx), ctx.config.atlantis.version, base, await loadRecipeTemplates(), context);
}

function toolWarnings(build: DesiredBuild): Warning[] {
  return Object.entries(build.tools ?? {}).flatMap(([name, version]) => {
    const tool = resolveTool(name, version);
    return tool && !tool.pinned
      ? [
          {
            message: `${name} ${version} has no SHA-256 pinned in atlantis-run: the build verifies it against the release's own checksum file (${tool.checksumsUrl})`,
            hint: `pinned versions: ${Object.keys(tool.spec.versions).join(', ')}`,
          },
        ]
      : [];
  });
}

export const buildPhase = definePhase({
  name: 'build',
  title: 'Building the Atlantis image',
  needs: ['registry', 'build-registry', 'build-access', 'source-bucket'],
  enabled: (config) => config.image.strategy === 'build',
  apis: (config) =>
    isCloud(config)
      ? [
          'artifactregistry.googleapis.com',
          'cloudbuild.googleapis.com',
          'logging.googleapis.com',
          ...(isContext(config) ? ['storage.googleapis.com'] : []),
        ]
      : ['artifactregistry.googleapis.com'],
  permissions: (config) =>
    isCloud(config)
      ? [
          'artifactregistry.repositories.downloadArtifacts',
          'cloudbuild.builds.create',
          'cloudbuild.builds.get',
          'cloudbuild.builds.list',
          'logging.logEntries.list',
          ...(isContext(config) ? ['storage.objects.create', 'storage.objects.get'] : []),
        ]
      : ['artifactregistry.repositories.downloadArtifacts', 'artifactregistry.repositories.uploadArtifacts'],
  // Cloud Build runs the build as the build service account: actAs on that account only (a project-wide
  // actAs would let a deployer act as every account of the project; `ci setup` grants it on this one).
  actAs: (config) => (isCloud(config) ? [desiredState(config).build!.serviceAccount!.email] : []),
  clients: ['token'],
  record: BUILD_RECORD,

  async read(ctx): Promise<Live> {
    const build = buildOf(ctx);
    const context = build.context !== undefined ? await readContext(build.context, build.dockerfile ?? 'Dockerfile') : undefined;
    const base = await resolveBase(ctx);
    if (!base) return { context, inputs: undefined, found: undefined };
    const inputs = await inputsFor(ctx, base, context);
    return { context, inputs, found: await findImage(ctx.gcp, `${build.image}:${inputs.tag}`) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const build = buildOf(ctx);
    const warnings = toolWarnings(build);
    const { inputs, found } = live;
    if (inputs && found) {
      const reference = `${build.image}@${found.digest}`;
      return {
        changes: [],
        warnings,
        decision: { action: 'none', inputs, image: { reference, digest: found.digest } },
        facts: { image: reference },
      };
    }
    const reasons = inputs
      ? rebuildReasons(lockRecord(ctx.lock, BUILD_RECORD), inputs)
      : [`the base image ${ctx.config.atlantis.version} is resolved once the ghcr.io proxy exists`];
    const tag = inputs?.tag ?? BUILT_AT_DEPLOY;
    return {
      changes: [
        {
          kind: 'image build',
          resource: `atlantis:${tag}`,
          action: 'create',
          reason: reasons.join('; '),
          fields: [
            { path: 'builder', to: build.builder },
            { path: 'from', to: inputs?.base ?? build.base },
            ...Object.entries(build.tools ?? {}).map(([name, version]) => ({ path: `tools.${name}`, to: version })),
            ...(live.context
              ? [
                  {
                    path: 'context',
                    to: `${build.context} (${live.context.entries.filter((e) => e.type === 'file').length} files, ${live.context.ignored} ignored)`,
                  },
                ]
              : []),
          ],
        },
      ],
      warnings,
      decision: { action: 'build', live },
      facts: { image: `${build.image}:${tag}` },
    };
  },

  async apply(ctx, decision) {
    const build = buildOf(ctx);
    if (decision.action === 'none') {
      return {
        record: buildRecordOf(decision.inputs, decision.image, build.builder, lockRecord(ctx.lock, BUILD_RECORD)?.buildId),
        facts: { image: decision.image.reference },
        summary: `${decision.inputs.tag} (already built)`,
      };
    }
    let { inputs } = decision.live;
    if (!inputs) {
      // The proxy exists now (the registry phase made it): resolve the base and look once more.
      const base = (await resolveImage(ctx.gcp, proxiedAtlantisImage(ctx.config))).reference;
      inputs = await inputsFor(ctx, base, decision.live.context);
      const found = await findImage(ctx.gcp, `${build.image}:${inputs.tag}`);
      if (found) {
        const reference = `${build.image}@${found.digest}`;
        return {
          record: buildRecordOf(inputs, { reference, digest: found.digest }, build.builder),
          facts: { image: reference },
          summary: `${inputs.tag} (already built)`,
        };
      }
    }
    const built = await runBuild(ctx, build, inputs);
    ctx.emit({ type: 'resource-changed', phase: 'build', kind: 'image build', resource: `atlantis:${inputs.tag}`, action: 'create' });
    return {
      record: buildRecordOf(inputs, built, build.builder, built.buildId),
      facts: { image: built.reference },
      summary: `${inputs.tag} → ${built.digest.slice(0, 19)}`,
    };
  },

  // Nothing to delete: images go with the build repository. The record goes with it.
  teardown: {
    read: () => Promise.resolve(undefined),
    plan: () => ({ steps: [] }),
  },
});

async function runBuild(ctx: PhaseContext, build: DesiredBuild, inputs: BuildInputs): Promise<BuiltImage> {
  if (build.builder === 'cloud-build') return buildWithCloudBuild(ctx, 'build', build, inputs);
  const found = await findBuilder(ctx.env, build.builder);
  if (build.builder === 'local') ctx.emit({ type: 'info', phase: 'build', message: `local builder: ${found.tool} ${found.version}` });
  return buildLocally(ctx, 'build', build, inputs, found);
}
