// The one shape every VCS webhook module has (GitHub, GitLab, Gitea): list, create, update and delete
// the hooks of one target (a repository, organisation, project or group), in provider-neutral terms.
// Each module translates to its provider's API; reconcile.ts decides what to call.

export type WebhookProvider = 'github' | 'gitlab' | 'gitea';

/** Where a hook lives. GitHub and Gitea: repository or organisation; GitLab: project or group. */
export type HookTarget =
  | { kind: 'repository'; owner: string; name: string }
  | { kind: 'organization'; org: string }
  | { kind: 'project'; path: string }
  | { kind: 'group'; path: string };

/** The hook Atlantis needs: its URL (…/events), the provider's event names, the shared secret. */
export interface DesiredHook {
  url: string;
  /** Provider-native event names (GitHub `pull_request`; GitLab `merge_requests_events`; Gitea `pull_request`). */
  events: string[];
  /** Already registered for redaction by whoever read it. Undefined: leave the hook's secret as it is. */
  secret?: string;
}

/** A hook as the provider reports it. Secrets are never readable back; `secretSet` says whether one is set, when the API tells. */
export interface LiveHook {
  id: number;
  url: string;
  events: string[];
  active: boolean;
  /** GitHub/Gitea `content_type`; GitLab always sends JSON (undefined). */
  contentType?: string;
  /** Whether the VCS verifies the TLS certificate of the URL. */
  tlsVerification?: boolean;
  /** true/false when the API reveals whether a secret is set (GitHub masks it as ********), undefined otherwise. */
  secretSet?: boolean;
}

export interface HooksApi {
  readonly provider: WebhookProvider;
  /** "GitHub", "GitHub Enterprise (git.example.com)", "GitLab (gitlab.example.com)"… */
  readonly label: string;
  /** The API base URL, e.g. https://api.github.com. */
  readonly baseUrl: string;
  /** The events Atlantis documents for this provider, in the provider's own names. */
  readonly atlantisEvents: readonly string[];
  /** Target kinds this provider serves. */
  readonly targetKinds: readonly HookTarget['kind'][];
  list(target: HookTarget): Promise<LiveHook[]>;
  create(target: HookTarget, desired: DesiredHook): Promise<LiveHook>;
  update(target: HookTarget, id: number, desired: DesiredHook): Promise<LiveHook>;
  delete(target: HookTarget, id: number): Promise<void>;
}

/** Human form of a target: "repository acme/infra", "group acme/platform". */
export function describeTarget(target: HookTarget): string {
  switch (target.kind) {
    case 'repository':
      return `repository ${target.owner}/${target.name}`;
    case 'organization':
      return `organisation ${target.org}`;
    case 'project':
      return `project ${target.path}`;
    case 'group':
      return `group ${target.path}`;
  }
}
