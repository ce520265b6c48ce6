// Google's OAuth 2.0 token information endpoint: `GET https://oauth2.googleapis.com/tokeninfo
// ?access_token=…` (https://developers.google.com/identity/protocols/oauth2, "tokeninfo"), reached
// on the emulator as `/hosts/oauth2.googleapis.com/tokeninfo`. Clients ask it who an access token
// belongs to — the tool does, to name the caller when a permission is missing. A raw route: the
// token comes as `access_token`, which Google's JSON APIs treat as a system parameter, and errors
// are OAuth's `{error, error_description}`, not Google's JSON error. The emulator accepts any token,
// every one the emulated caller's.
import { defineApi, rawRoute, type RawHttpResponse } from '../core/api.js';
import { EMULATED_CALLER } from './cloud-run.js';

/** How long an emulated access token lives, as Google's do (one hour). */
const TOKEN_SECONDS = 3600;

function json(status: number, body: Record<string, string>): RawHttpResponse {
  return { status, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(body, null, 2) };
}

export const oauth2Api = defineApi({
  service: 'oauth2.googleapis.com',
  title: 'Google OAuth2 API',
  rawRoutes: [
    rawRoute({
      verbs: ['GET'],
      path: '/hosts/oauth2.googleapis.com/tokeninfo',
      rpcName: 'google.oauth2.v3.TokenInfo/GetTokenInfo',
      resource: () => 'tokeninfo',
      // Not a project's API (nothing to enable), and the token is the query's, not a header's.
      project: () => undefined,
      authenticated: () => true,
      handle(request, ctx) {
        // Google's answer for a missing or unknown token.
        if (!request.query.access_token?.[0]) return json(400, { error: 'invalid_token', error_description: 'Invalid Value' });
        const exp = Math.floor(ctx.now / 1000) + TOKEN_SECONDS;
        // Google's fields for a user's access token, strings throughout as Google sends them.
        return json(200, {
          azp: 'atlantis-run-emulator.apps.googleusercontent.com',
          aud: 'atlantis-run-emulator.apps.googleusercontent.com',
          sub: '100000000000000000001',
          scope: 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email openid',
          exp: String(exp),
          expires_in: String(TOKEN_SECONDS),
          email: EMULATED_CALLER,
          email_verified: 'true',
          access_type: 'offline',
        });
      },
      renderError: (error) => json(error.httpStatus, { error: 'invalid_request', error_description: error.message }),
    }),
  ],
});
