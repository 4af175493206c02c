import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Application } from '../../applications/applicationDecider.js';
import type { Cradle } from '../../cradle.js';
import type { EventMetadata } from '../../eventStore/types.js';
import { InvalidGrantError } from '../../oidc/oauthErrors.js';
import type { AuthorizationCodeGrant } from '../../oidc/authorizationCodeEvents.js';
import { IdentifierTakenError } from '../../users/userDirectory.js';
import { UserError } from '../../users/userDecider.js';
import { compileSchema } from '../../validation/compileSchema.js';
import { authenticateClient } from '../clientAuthentication.js';
import { eventMetadata } from '../eventMetadata.js';
import { badRequest, HttpError } from '../httpError.js';
import type { AppMiddleware, AppState, RouteFactory } from '../types.js';

const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
type GrantType = (typeof grantTypes)[number];

/** RFC 6749 §3.2: unknown parameters are ignored, so no `additionalProperties: false` here. */
const tokenRequestSchema = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { type: 'string' },
    client_id: { type: 'string' },
    client_secret: { type: 'string' },
    code: { type: 'string' },
    redirect_uri: { type: 'string' },
    refresh_token: { type: 'string' },
  },
} as const;
const codeGrantSchema = { ...tokenRequestSchema, required: ['grant_type', 'code', 'redirect_uri'] } as const;
const refreshGrantSchema = { ...tokenRequestSchema, required: ['grant_type', 'refresh_token'] } as const;

const parseTokenRequest = compileSchema<FromSchema<typeof tokenRequestSchema>>(tokenRequestSchema);
const parseCodeGrant = compileSchema<FromSchema<typeof codeGrantSchema>>(codeGrantSchema);
const parseRefreshGrant = compileSchema<FromSchema<typeof refreshGrantSchema>>(refreshGrantSchema);

const claimsSupported = ['sub', 'iss', 'aud', 'iat', 'exp', 'sid', 'amr', 'phone_number', 'phone_number_verified', 'email', 'username'];

/**
 * The OpenID Provider's endpoints: discovery, the JWKS, and the token endpoint with its three grants.
 * Token responses and errors are never cached (RFC 6749 §5.1).
 */
export const oidcRoutes: RouteFactory = (cradle) => {
  const { tokens } = cradle;
  const router = new Router<AppState>();

  router.get('/.well-known/openid-configuration', (ctx) => {
    const { issuer } = cradle; // read per request: registered again once the server listens
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = {
      issuer,
      token_endpoint: `${issuer}/oidc/token`,
      jwks_uri: `${issuer}/oidc/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: grantTypes,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      claims_supported: claimsSupported,
    };
  });

  // the second path is Auth0's, where its SDKs look
  router.get(['/oidc/jwks', '/.well-known/jwks.json'], (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/jwk-set+json';
    ctx.body = tokens.jwks();
  });

  router.post('/oidc/token', tokenEndpoint(cradle));

  return router;
};

/** The token endpoint's handler: also behind `/oauth/token`, the Auth0 dialect's address for it. */
export function tokenEndpoint(cradle: Cradle): AppMiddleware {
  return async (ctx) => {
    const raw = withoutEmptyValues(ctx.request.body);
    const body = parseTokenRequest(raw);
    const grantType = body.grant_type;
    if (!isGrantType(grantType)) throw new HttpError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
    const app = await authenticateClient(ctx, body, cradle.applications);
    const metadata = eventMetadata(ctx, app.tenantId, app.clientId);
    ctx.body = await asOAuthErrors(() => grant(cradle, grantType, app, raw, metadata));
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  };
}

async function grant(cradle: Cradle, grantType: GrantType, app: Application, body: unknown, metadata: Partial<EventMetadata>) {
  switch (grantType) {
    case 'client_credentials':
      return cradle.tokens.issueClientToken(app);
    case 'refresh_token':
      return cradle.tokens.refresh(app, parseRefreshGrant(body).refresh_token, metadata);
    case 'authorization_code': {
      const { code, redirect_uri } = parseCodeGrant(body);
      const codeGrant = await cradle.authorizationCodes.redeem({ code, clientId: app.clientId, redirectUri: redirect_uri, metadata });
      const userId = codeGrant.userId ?? (await signUp(cradle, app, codeGrant, metadata));
      // the OTP that led to this code proved the phone: it is verified from the first SMS login on
      const user = await cradle.users.verifyPhone(codeGrant.tenantId, userId, codeGrant.phoneNumber, 'login', metadata);
      return cradle.tokens.startSession({ app, user, amr: ['otp', 'sms'], grant: 'authorization_code', metadata });
    }
    default: {
      const unreachable: never = grantType;
      throw badRequest(`grant_type ${String(unreachable)} is not supported`);
    }
  }
}

/** A code for a phone with no user yet: a new user, only if the login asked for it and the app allows sign-up. */
async function signUp({ users }: Cradle, app: Application, codeGrant: AuthorizationCodeGrant, metadata: Partial<EventMetadata>): Promise<string> {
  if (!codeGrant.createNewUser || !app.public_signup) {
    throw new InvalidGrantError('user_not_found', 'no user has this phone number and this application does not sign up new users');
  }
  const { user } = await users.createOrAddToApp(codeGrant.tenantId, app.clientId, { phoneNumber: codeGrant.phoneNumber }, metadata);
  return user.userId;
}

/** At the token endpoint every refusal of the grant itself, whichever service raised it, is `invalid_grant`. */
async function asOAuthErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InvalidGrantError || error instanceof IdentifierTakenError || error instanceof UserError) {
      throw new HttpError(400, 'invalid_grant', error.message, { cause: error });
    }
    throw error;
  }
}

function isGrantType(value: string): value is GrantType {
  return (grantTypes as readonly string[]).includes(value);
}

/** RFC 6749 §3.2: a parameter sent without a value is treated as omitted. */
export function withoutEmptyValues(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== ''));
}
