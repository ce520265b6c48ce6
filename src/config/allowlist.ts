// Whether a repo-allowlist entry can ever match a repository of the configured VCS. Atlantis
// matches each entry — `*` for any characters, a leading `!` to exclude — against HOST/OWNER/REPO
// (https://www.runatlantis.io/docs/server-configuration#repo-allowlist), so `acme/*`, or
// `gitlab.com/acme/*` with a self-managed GitLab, accepts no webhook at all: Atlantis starts, and
// silently ignores every pull request.

/** What the allowlist check needs of `atlantis.vcs`. */
export interface VcsHostFields {
  provider: string;
  hostname?: string | undefined;
  baseUrl?: string | undefined;
}

/** The host names repositories have in Atlantis' eyes; `*.visualstudio.com` stands for any organisation's. */
export function repositoryHosts(vcs: VcsHostFields): string[] {
  if (vcs.baseUrl)
    return [
      vcs.baseUrl
        .replace(/^[a-z]+:\/\//i, '')
        .split('/')[0]
        .toLowerCase(),
    ];
  switch (vcs.provider) {
    case 'github':
    case 'github-app':
      return [vcs.hostname ?? 'github.com'];
    case 'gitlab':
      return [vcs.hostname ?? 'gitlab.com'];
    case 'bitbucket':
      return ['bitbucket.org'];
    case 'azuredevops':
      // Azure DevOps Services repositories come as dev.azure.com/ORG/… or ORG.visualstudio.com/….
      return vcs.hostname ? [vcs.hostname] : ['dev.azure.com', '*.visualstudio.com'];
    default:
      return [];
  }
}

/**
 * Undefined when `entry` can match a repository on one of `hosts`, else the fix: the entry written
 * with the host it should start with. Entries whose host part has a wildcard, and exclusions, pass.
 */
export function allowlistFix(entry: string, hosts: readonly string[]): string | undefined {
  if (hosts.length === 0 || entry.startsWith('!')) return undefined;
  const slash = entry.indexOf('/');
  const hostPart = (slash < 0 ? entry : entry.slice(0, slash)).toLowerCase();
  if (hostPart.includes('*')) return undefined;
  // Ports are compared leniently: Atlantis' docs write Bitbucket Server hosts with one, its code without.
  const bare = (h: string) => h.toLowerCase().replace(/:\d+$/, '');
  const matches = (host: string) => (host.startsWith('*.') ? hostPart.endsWith(host.slice(1)) : bare(hostPart) === bare(host));
  if (slash >= 0 && hosts.some(matches)) return undefined;
  const host = hosts[0];
  // `gitlab.com/acme/*` names another host: swap it; `acme/*` names none: put one in front.
  return slash >= 0 && hostPart.includes('.') ? `${host}${entry.slice(slash)}` : `${host}/${entry}`;
}

/** The problem with `entry` for `vcs`, worded for the user, or undefined when it can match. */
export function allowlistProblem(entry: string, vcs: VcsHostFields): { problem: string; fix: string } | undefined {
  const hosts = repositoryHosts(vcs);
  const fix = allowlistFix(entry, hosts);
  if (fix === undefined) return undefined;
  return {
    problem: `"${entry}" never matches: Atlantis compares it with HOST/OWNER/REPO, and this ${vcs.provider} configuration's repositories start with ${hosts.map((h) => `${h}/`).join(' or ')}`,
    fix,
  };
}
