import { Router } from '@koa/router';
import type { Cradle } from '../../../cradle.js';
import { revocationEndpoint } from '../oauth/revocation.js';
import { tokenEndpoint } from '../oauth/tokenEndpoint.js';
import { userinfoEndpoint } from '../oauth/userinfo.js';
import { revocationDescription, tokenDescription, userinfoDescription } from '../oauth/oauthDescriptions.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';

export { PASSWORDLESS_OTP_GRANT } from '../oauth/grants/passwordlessOtp.js';

/**
 * Auth0's Authentication API addresses for what the OpenID Provider does (`routes/oauth/oidc.ts`), so an Auth0 client needs
 * no other: `POST /oauth/token` (every grant, the passwordless OTP grant among them; id_tokens RS256 unless the
 * application chose), `POST /oauth/revoke` and `GET /userinfo`.
 */
export function auth0TokenRoutes(cradle: Cradle): Router<AppState> {
  const router = new Router<AppState>();
  describeRoute(router, 'POST /oauth/token', tokenDescription('Auth0'));
  describeRoute(router, 'POST /oauth/revoke', revocationDescription('Auth0'));
  describeRoute(router, 'GET /userinfo', userinfoDescription('Auth0', 'GET'));
  router.post('/oauth/token', tokenEndpoint(cradle, 'auth0'));
  router.post('/oauth/revoke', revocationEndpoint(cradle));
  router.get('/userinfo', ...userinfoEndpoint(cradle));
  return router;
}
