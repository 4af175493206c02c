import type { RouteDescription } from '../../openapi/routeDescription.js';
import { clientCredentials } from '../../openapi/securitySchemes.js';
import { userTokensBody } from '../mosaic/schemas.js';
import { codeGrantSchema } from './grants/authorizationCode.js';
import { otpGrantSchema, PASSWORDLESS_OTP_GRANT } from './grants/passwordlessOtp.js';
import { refreshGrantSchema } from './grants/refreshToken.js';
import { presentedTokenSchema } from './presentedToken.js';
import { tokenRequestSchema } from './tokenEndpoint.js';

/**
 * The OpenAPI descriptions of the OAuth endpoints, shared by their two addresses (`/oidc/...` and Auth0's
 * `/oauth/...`), built from the schemas the endpoint and each grant validate with.
 */
const grantBody = (grantType: string, schema: object) => ({
  allOf: [tokenRequestSchema, schema, { type: 'object', properties: { grant_type: { const: grantType } } }],
});

const tokenRequestBody = {
  oneOf: [
    grantBody('client_credentials', { type: 'object' }),
    grantBody('authorization_code', codeGrantSchema),
    grantBody('refresh_token', refreshGrantSchema),
    grantBody(PASSWORDLESS_OTP_GRANT, otpGrantSchema),
  ],
} as const;

const clientTokenBody = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in'],
  additionalProperties: false,
  properties: { access_token: { type: 'string' }, token_type: { const: 'Bearer' }, expires_in: { type: 'integer' } },
} as const;

export const tokenDescription = (tag: string): RouteDescription => ({
  summary: 'The token endpoint: client_credentials, authorization_code (PKCE), refresh_token (rotating), the passwordless OTP grant',
  tag,
  security: clientCredentials,
  request: { form: tokenRequestBody, json: tokenRequestBody },
  responses: { 200: { description: 'the tokens (never cached)', body: { oneOf: [clientTokenBody, userTokensBody] } } },
  errors: {
    400: 'invalid_request, invalid_grant (a wrong, used or expired code or refresh token), unsupported_grant_type, unauthorized_client',
    401: 'invalid_client: unknown client or wrong secret (alike)',
    403: "at /oauth/token only, in Auth0's words: a wrong passwordless code (invalid_grant), a client that is no end-user application (unauthorized_client); /oidc/token answers them 400",
    429: 'too many wrong codes (locked out)',
  },
});

export const revocationDescription = (tag: string): RouteDescription => ({
  summary: 'Revoke a refresh or user access token, and its session (RFC 7009)',
  tag,
  security: clientCredentials,
  request: { form: presentedTokenSchema, json: presentedTokenSchema },
  responses: { 200: { description: 'revoked, or the token was not valid anyway', body: { type: 'object', additionalProperties: false } } },
  errors: { 400: "another client's token, or a client_credentials token (unsupported_token_type)", 401: 'invalid_client' },
});

export const introspectionDescription = (tag: string): RouteDescription => ({
  summary: 'Introspect a token (RFC 7662), for confidential clients',
  tag,
  security: [{ clientSecretBasic: [] }, {}],
  request: { form: presentedTokenSchema, json: presentedTokenSchema },
  responses: {
    200: {
      description: 'whether the token is active and, if so, its claims',
      body: {
        type: 'object',
        required: ['active'],
        properties: {
          active: { type: 'boolean' },
          iss: { type: 'string' },
          sub: { type: 'string' },
          client_id: { type: 'string' },
          tenant_id: { type: 'string' },
          token_type: { type: 'string' },
          scope: { type: 'string' },
          exp: { type: 'integer' },
          iat: { type: 'integer' },
          sid: { type: 'string' },
          role: { type: 'string' },
        },
      },
    },
  },
  errors: { 401: 'invalid_client, or a public client' },
});

export const userinfoDescription = (tag: string, method: 'GET' | 'POST'): RouteDescription => ({
  summary: "The signed-in user's claims, by the token's scopes (OpenID Connect Core §5.3)",
  tag,
  security: [{ userToken: [] }],
  ...(method === 'POST' && {
    request: { form: { type: 'object', properties: { access_token: { type: 'string' } } }, bodyOptional: true },
  }),
  responses: {
    200: {
      description: 'the claims',
      body: {
        type: 'object',
        required: ['sub'],
        additionalProperties: false,
        properties: {
          sub: { type: 'string' },
          phone_number: { type: 'string' },
          phone_number_verified: { type: 'boolean' },
          email: { type: 'string' },
          username: { type: 'string' },
        },
      },
    },
  },
  errors: { 400: 'the token was sent twice (header and body)', 401: 'no valid user access token, or its session was revoked' },
});
