// The tools a recipe can add to the Atlantis image, each pinned to versions whose published SHA-256
// of the linux-amd64 release asset is known here, with where that value was read. A version not in
// this list is still accepted for tools whose releases publish a checksum file: the build then
// downloads that file next to the asset and verifies against it (same origin, so weaker: plan says
// so). What the upstream image already ships (terraform, OpenTofu, conftest, git-lfs) is not here.
//
// Sources (read 2026-08, not vendored):
//   HERMIT  = github.com/cashapp/hermit-packages @ f0517fd7532fc6adfd910cfba3ef2b4c59f662db,
//             files terragrunt.hcl / tflint.hcl (hashes taken from each release's own SHA256SUMS /
//             checksums.txt), infracost.hcl and gcloud.hcl (hashes of the downloaded archives).
//   PIPELINES = github.com/rios0rios0/pipelines @ 67d6c5be33664d5476e840eb271635910bf927eb,
//             global/scripts/shared/pinned-versions.sh
//   AUR     = the Arch User Repository PKGBUILD of infracost-bin (pkgver 0.10.44)

export type InstallKind = 'binary' | 'tar.gz' | 'zip' | 'gcloud';

export interface PinnedVersion {
  sha256: string;
  /** Where the value was read (see the sources above). */
  source: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  homepage: string;
  /** The linux-amd64 release asset: its URL and file name for a version. */
  assetUrl(version: string): string;
  assetFile: string;
  kind: InstallKind;
  /** The file to take from an archive (first that exists). */
  members?: readonly string[];
  /** The release's checksum file (format `HASH  FILE` per line), for versions not pinned here. */
  checksumsUrl?(version: string): string;
  /** Installed as /usr/local/bin/NAME; this command must run after the install. */
  smokeTest: string;
  versions: Readonly<Record<string, PinnedVersion>>;
}

const HERMIT = 'cashapp/hermit-packages@f0517fd7';
const PIPELINES = 'rios0rios0/pipelines@67d6c5be global/scripts/shared/pinned-versions.sh';

const github = (repo: string, tag: string, file: string) => `https://github.com/${repo}/releases/download/${tag}/${file}`;

export const TOOLS: Readonly<Record<string, ToolSpec>> = {
  terragrunt: {
    name: 'terragrunt',
    description: 'Terragrunt, the Terraform/OpenTofu orchestrator',
    homepage: 'https://github.com/gruntwork-io/terragrunt',
    assetUrl: (v) => github('gruntwork-io/terragrunt', `v${v}`, 'terragrunt_linux_amd64'),
    assetFile: 'terragrunt_linux_amd64',
    kind: 'binary',
    checksumsUrl: (v) => github('gruntwork-io/terragrunt', `v${v}`, 'SHA256SUMS'),
    smokeTest: 'terragrunt --version',
    versions: {
      '0.67.16': { sha256: 'ddf034ce4bd73589ce9a6587f5c637f6e17b881dd72ddbe92109c6aac25d6a68', source: `${HERMIT} terragrunt.hcl` },
      '0.68.1': { sha256: '0872d38a4a3105a15bc678b9691fc4b401e3fc366942b06e5616d6f6096ee622', source: `${HERMIT} terragrunt.hcl` },
      '1.1.3': {
        sha256: 'd5da6a66741f4ee752aa3b502b57e47fd6d5c178942861b2507f14f083e7606e',
        source: `${HERMIT} terragrunt.hcl; the same value in ${PIPELINES}`,
      },
    },
  },
  infracost: {
    name: 'infracost',
    description: 'Infracost, cloud cost estimates for Terraform pull requests',
    homepage: 'https://github.com/infracost/infracost',
    assetUrl: (v) => github('infracost/infracost', `v${v}`, 'infracost-linux-amd64.tar.gz'),
    assetFile: 'infracost-linux-amd64.tar.gz',
    kind: 'tar.gz',
    // v0.10 archives hold a suffixed binary; later ones a plain `infracost` (infracost's install.sh).
    members: ['infracost-linux-amd64', 'infracost'],
    checksumsUrl: (v) => github('infracost/infracost', `v${v}`, 'infracost-linux-amd64.tar.gz.sha256'),
    smokeTest: 'infracost --version',
    versions: {
      '0.10.43': { sha256: 'ea21bbc939530243a526b22e2f63ae3842b8ba6141ab0c0995bc49a0ad9ef2f4', source: `${HERMIT} infracost.hcl` },
      '0.10.44': {
        sha256: 'a85bf52b6abcc0a101e9c0c36ae7d0274c542346b36948710a89676e51e7da8e',
        source: `${HERMIT} infracost.hcl; the same value in the AUR PKGBUILD of infracost-bin 0.10.44`,
      },
      '0.10.45': { sha256: 'e2f527d8391a87ac00bfc55237ff875107861715e234bbbeb9b6015aba576c77', source: `${HERMIT} infracost.hcl` },
    },
  },
  tflint: {
    name: 'tflint',
    description: 'TFLint, the pluggable Terraform linter',
    homepage: 'https://github.com/terraform-linters/tflint',
    assetUrl: (v) => github('terraform-linters/tflint', `v${v}`, 'tflint_linux_amd64.zip'),
    assetFile: 'tflint_linux_amd64.zip',
    kind: 'zip',
    members: ['tflint'],
    checksumsUrl: (v) => github('terraform-linters/tflint', `v${v}`, 'checksums.txt'),
    smokeTest: 'tflint --version',
    versions: {
      '0.63.1': { sha256: '8441a7d97df20431f19c9b9d27ff4c63e308c964e86660bc7cc0cf7bbe0725e8', source: `${HERMIT} tflint.hcl` },
      '0.64.0': {
        sha256: 'cca9d13e2e1d7a2c627af60ff899a3c9b74212899416aeb96ec764d2ef954537',
        source: `${HERMIT} tflint.hcl; the same value in ${PIPELINES}`,
      },
    },
  },
  gcloud: {
    name: 'gcloud',
    description: 'the Google Cloud CLI (gcloud, gsutil, bq), with python3 from the image’s package manager',
    homepage: 'https://cloud.google.com/sdk/docs/downloads-versioned-archives',
    assetUrl: (v) => `https://dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-sdk-${v}-linux-x86_64.tar.gz`,
    assetFile: 'google-cloud-sdk-linux-x86_64.tar.gz',
    kind: 'gcloud',
    // Google publishes no checksum file per version: only versions pinned here can be installed.
    smokeTest: 'gcloud --version',
    versions: {
      '580.0.0': { sha256: '8b871ceb04019d5f8cb67fb1dba0deb3892572e48505599eac1eec14eb00402f', source: `${HERMIT} gcloud.hcl` },
      '581.0.0': { sha256: '32e6cf5bc5af1355e1894f2594f24401e05101d3712eb2e5d9474106d861fb91', source: `${HERMIT} gcloud.hcl` },
    },
  },
};

export const TOOL_NAMES = Object.keys(TOOLS);

/** What the upstream image already ships (its Dockerfile), so a recipe does not add them again. */
export const UPSTREAM_TOOLS = ['terraform', 'tofu', 'conftest', 'git-lfs'] as const;

/** A tool version as the recipe will install it: pinned here, or verified against the release's checksum file. */
export type ResolvedTool =
  | { name: string; version: string; spec: ToolSpec; pinned: PinnedVersion }
  | { name: string; version: string; spec: ToolSpec; pinned: undefined; checksumsUrl: string };

export function resolveTool(name: string, version: string): ResolvedTool | undefined {
  const spec = TOOLS[name];
  if (!spec) return undefined;
  const pinned = spec.versions[version];
  if (pinned) return { name, version, spec, pinned };
  if (!spec.checksumsUrl) return undefined;
  return { name, version, spec, pinned: undefined, checksumsUrl: spec.checksumsUrl(version) };
}

/** The newest pinned version of a tool (by numeric comparison). */
export function newestPinned(spec: ToolSpec): string {
  return Object.keys(spec.versions).sort(compareVersions).at(-1)!;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const pb = b.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
