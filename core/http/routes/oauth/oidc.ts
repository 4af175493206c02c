import { Router } from '@koa/router';
import { introspectionEndpoint } from './introspection.js';
import { revocationEndpoint } from './revocation.js';
import { grants, tokenEndpoint } from './tokenEndpoint.js';
import { userinfoEndpoint } from './userinfo.js';
import { introspectionDescription, revocationDescription, tokenDescription, userinfoDescription } from './oauthDescriptions.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState, RouteFactory } from '../../types.js';

const OIDC = 'OpenID Connect';

const claimsSupported = [
  'sub',
  'iss',
  'aud',
  'iat',
  'exp',
  'sid',
  'amr',
  'nonce',
  'phone_number',
  'phone_number_verified',
  'email',
  'username',
];

/**
 * Endpoints are named under the issuer without doubling its slash: an issuer written `https://tenant.example/`
 * (Auth0's form) stays exactly that in `iss` and discovery, and its token endpoint is `https://tenant.example/oidc/token`.
 */
export const endpointUrl = (issuer: string, path: string) => `${issuer.replace(/\/+$/, '')}${path}`;

/**
 * The OpenID Provider: discovery, the JWKS (also at Auth0's `/.well-known/jwks.json`), the token endpoint with
 * its grants, userinfo, revocation (RFC 7009) and introspection (RFC 7662). Authorization codes come from the
 * Mosaic redirect SMS login (`routes/mosaic/smsRedirectLogin.ts`), which takes `state`, `nonce` and PKCE's S256 challenge.
 */
export const oidcRoutes: RouteFactory = (cradle) => {
  const { tokens } = cradle;
  const router = new Router<AppState>();

  describeRoute(router, 'GET /.well-known/openid-configuration', {
    summary: 'OpenID Provider discovery',
    tag: OIDC,
    responses: {
      200: {
        description: 'the provider metadata',
        body: {
          type: 'object',
          required: [
            'issuer',
            'token_endpoint',
            'jwks_uri',
            'response_types_supported',
            'subject_types_supported',
            'id_token_signing_alg_values_supported',
          ],
          properties: { issuer: { type: 'string', format: 'uri' } },
        },
      },
    },
  });
  router.get('/.well-known/openid-configuration', (ctx) => {
    const { issuer } = cradle; // read per request: registered again once the server listens
    const url = (path: string) => endpointUrl(issuer, path);
    const clientAuth = ['client_secret_basic', 'client_secret_post'];
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = {
      issuer,
      token_endpoint: url('/oidc/token'),
      jwks_uri: url('/oidc/jwks'),
      userinfo_endpoint: url('/oidc/userinfo'),
      revocation_endpoint: url('/oidc/revoke'),
      introspection_endpoint: url('/oidc/introspect'),
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: Object.keys(grants),
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: tokens.signingAlgorithms(),
      token_endpoint_auth_methods_supported: [...clientAuth, 'none'],
      revocation_endpoint_auth_methods_supported: [...clientAuth, 'none'],
      introspection_endpoint_auth_methods_supported: clientAuth,
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'profile', 'email', 'phone', 'offline_access'],
      claims_supported: claimsSupported,
      // the redirect login adds `iss` to the redirect (RFC 9207)
      authorization_response_iss_parameter_supported: true,
    };
  });

  // the second path is Auth0's, where its SDKs look
  describeRoute(router, ['GET /oidc/jwks', 'GET /.well-known/jwks.json'], {
    summary: 'The public signing keys (ES256, RS256) as a JWK Set',
    tag: OIDC,
    responses: {
      200: {
        description: 'the JWK Set',
        contentType: 'application/jwk-set+json',
        body: {
          type: 'object',
          required: ['keys'],
          properties: { keys: { type: 'array', items: { type: 'object', required: ['kty', 'kid'] } } },
        },
      },
    },
  });
  router.get(['/oidc/jwks', '/.well-known/jwks.json'], (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/jwk-set+json';
    ctx.body = tokens.jwks();
  });

  describeRoute(router, 'POST /oidc/token', tokenDescription(OIDC));
  router.post('/oidc/token', tokenEndpoint(cradle, 'oidc'));
  describeRoute(router, 'GET /oidc/userinfo', userinfoDescription(OIDC, 'GET'));
  describeRoute(router, 'POST /oidc/userinfo', userinfoDescription(OIDC, 'POST'));
  describeRoute(router, 'POST /oidc/revoke', revocationDescription(OIDC));
  describeRoute(router, 'POST /oidc/introspect', introspectionDescription(OIDC));
  router.get('/oidc/userinfo', ...userinfoEndpoint(cradle));
  router.post('/oidc/userinfo', ...userinfoEndpoint(cradle));
  router.post('/oidc/revoke', revocationEndpoint(cradle));
  router.post('/oidc/introspect', introspectionEndpoint(cradle));

  return router;
};
