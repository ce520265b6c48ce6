// The API descriptions the local VCS servers check requests against: GitHub's OpenAPI description
// from the @octokit/openapi package (github.com, and a GitHub Enterprise Server release), GitLab's
// and Gitea's webhook operations from test/fixtures/vcs-api (see the README there for provenance).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ApiDescription } from './openapi.js';
import type { Provider } from './vcs-server.js';

const require = createRequire(import.meta.url);
const cache = new Map<string, ApiDescription>();

export type DescriptionName = Provider | 'ghes';

/** `ghes`: GitHub Enterprise Server 3.19, whose REST API lives under /api/v3. */
export function description(name: DescriptionName): ApiDescription {
  let d = cache.get(name);
  if (!d) {
    d = load(name);
    cache.set(name, d);
  }
  return d;
}

function load(name: DescriptionName): ApiDescription {
  switch (name) {
    case 'github':
      return new ApiDescription(json(require.resolve('@octokit/openapi/generated/api.github.com.json')), 'github');
    case 'ghes':
      return new ApiDescription(json(require.resolve('@octokit/openapi/generated/ghes-3.19.json')), 'ghes', '/api/v3');
    case 'gitlab':
      return new ApiDescription(json(new URL('../fixtures/vcs-api/gitlab-webhooks.swagger.json', import.meta.url)), 'gitlab');
    case 'gitea':
      return new ApiDescription(json(new URL('../fixtures/vcs-api/gitea-webhooks.swagger.json', import.meta.url)), 'gitea');
  }
}

function json(path: string | URL): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
