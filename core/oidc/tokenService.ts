import { BoundedCache } from '../support/boundedCache.js';
import type { Application } from '../applications/applicationDecider.js';
import type { Cradle } from '../cradle.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import type { EventMetadata } from '../eventStore/types.js';
import type { User } from '../users/userDecider.js';
import type { SigningAlg } from '../config/signingKeys.js';
import { JwtSigner } from './jwtSigner.js';
import { InvalidGrantError, InvalidTokenError } from './oauthErrors.js';
import { sessionDecider, SessionError, type SessionState } from './sessionDecider.js';
import { sessionStreamId, type IssuedTokens, type SessionGrant } from './sessionEvents.js';
import type {
  AccessTokenClaims,
  ClientAccessTokenClaims,
  ClientTokenResponse,
  IdTokenClaims,
  RefreshTokenClaims,
  SessionTokenResponse,
  UserAccessTokenClaims,
} from './tokenClaims.js';
import { accessTokenClaims, redirectLinkClaims, refreshTokenClaims, type RedirectLinkClaims } from './tokenClaimsSchema.js';

export type TokenServiceDeps = Pick<Cradle, 'secrets' | 'issuer' | 'config' | 'clock' | 'ids' | 'eventStore' | 'users'>;

export interface StartSessionRequest {
  app: Application;
  user: User;
  /** How the user authenticated (RFC 8176), e.g. `['otp', 'sms']`. */
  amr: string[];
  /** Defaults to `otp`: the backend login, which is no OAuth grant. */
  grant?: SessionGrant;
  /** Chosen before the session starts when something must name it first (an authorization code's redemption). */
  sid?: string;
  /** What userinfo answers for the session's access tokens; every scope when not given. */
  scope?: string;
  /** Echoed in the id_token (OpenID Connect Core §3.1.2.1). */
  nonce?: string;
  /** The dialect's default for an application that chose no `id_token_signed_response_alg`. */
  dialect?: Dialect;
  metadata: Partial<EventMetadata>;
}

/** Which API issued a token: the Auth0 dialect signs id_tokens RS256 by default, as Auth0 does; the others ES256. */
export type Dialect = 'oidc' | 'auth0';

/** Every scope a session can have; a session started by the Mosaic login or without a `scope` has them all. */
export const ALL_SCOPES = 'openid profile email phone';

/** The id_token's algorithm: the application's choice, else the dialect's. */
export function idTokenAlg(app: Pick<Application, 'id_token_signed_response_alg'>, dialect: Dialect = 'oidc'): SigningAlg {
  return app.id_token_signed_response_alg ?? (dialect === 'auth0' ? 'RS256' : 'ES256');
}

/** Where a session's tokens stand before they are signed: ids and times, recorded in `TokensIssued`. */
interface TokenPlan {
  now: Date;
  sid: string;
  ids: IssuedTokens;
  scope: string;
  idTokenAlg: SigningAlg;
  nonce?: string;
}

/**
 * Issues and checks otpledger's tokens. Sessions are event-sourced (`session-<sid>`): what is recorded
 * is the jti of each token, never the token, and the session decider owns refresh-token rotation.
 * The cradle is kept, not destructured: `issuer` is registered again once the server knows its URL.
 */
export class TokenService {
  private readonly signer: JwtSigner;
  private readonly verifiedAccessTokens = new BoundedCache<string, AccessTokenClaims>(10_000);

  constructor(private readonly cradle: TokenServiceDeps) {
    this.signer = new JwtSigner(cradle);
  }

  jwks() {
    return this.signer.jwks();
  }

  /** What id_tokens can be signed with here (discovery's `id_token_signing_alg_values_supported`). */
  signingAlgorithms() {
    return this.signer.algorithms();
  }

  async issueClientToken(app: Application): Promise<ClientTokenResponse> {
    const ttl = this.cradle.config.oidc.accessTokenTtlSeconds;
    const claims: Omit<ClientAccessTokenClaims, 'iss' | 'iat' | 'exp'> = {
      token_use: 'client',
      sub: app.clientId,
      aud: this.cradle.issuer,
      jti: this.cradle.ids.uuid(),
      client_id: app.clientId,
      tenant_id: app.tenantId,
      role: app.role,
    };
    const access_token = await this.signer.sign(claims, { now: this.cradle.clock.now(), ttlSeconds: ttl, typ: 'at+jwt' });
    return { access_token, token_type: 'Bearer', expires_in: ttl };
  }

  async startSession({
    app,
    user,
    amr,
    grant = 'otp',
    sid = this.cradle.ids.uuid(),
    scope = ALL_SCOPES,
    nonce,
    dialect,
    metadata,
  }: StartSessionRequest): Promise<SessionTokenResponse> {
    const plan = this.plan(sid, scope, idTokenAlg(app, dialect), nonce);
    await handleCommand(
      this.cradle.eventStore,
      sessionStreamId(plan.sid),
      sessionDecider,
      {
        type: 'StartSession',
        sid: plan.sid,
        tenantId: app.tenantId,
        clientId: app.clientId,
        userId: user.userId,
        amr,
        scope,
        grant,
        tokens: plan.ids,
      },
      metadata,
    );
    return this.signSessionTokens(plan, app, user, amr);
  }

  /**
   * The `refresh_token` grant. The token must be this client's and the latest of its session; an older one
   * revokes the session (see `sessionDecider`). Of concurrent refreshes with one token exactly one wins:
   * the others find the token already replaced.
   */
  async refresh(
    app: Application,
    refreshToken: string,
    metadata: Partial<EventMetadata> = {},
    dialect: Dialect = 'oidc',
  ): Promise<SessionTokenResponse> {
    const claims = await this.verifyRefreshToken(refreshToken);
    if (claims.client_id !== app.clientId || claims.tenant_id !== app.tenantId) {
      throw new InvalidGrantError('wrong_client', 'the refresh token was issued to another client');
    }
    // the user as they are now: the new id token carries current claims
    const user = await this.cradle.users.getUser(claims.tenant_id, claims.sub);
    if (!user) throw new InvalidGrantError('user_not_found', 'the user of this session no longer exists');
    const session = await loadState(this.cradle.eventStore, sessionStreamId(claims.sid), sessionDecider);
    const plan = this.plan(claims.sid, session?.scope ?? ALL_SCOPES, idTokenAlg(app, dialect));
    const result = await handleCommand(
      this.cradle.eventStore,
      sessionStreamId(claims.sid),
      sessionDecider,
      {
        type: 'RefreshSession',
        clientId: app.clientId,
        presentedRefreshTokenJti: claims.jti,
        tokens: plan.ids,
      },
      metadata,
    );
    if (result.events.some((event) => event.type === 'SessionRevoked')) {
      throw new SessionError('refresh_token_reuse', 'the refresh token was already used; the session has been revoked');
    }
    return this.signSessionTokens(plan, app, user, result.state!.amr);
  }

  /**
   * What a token is, if it is one of ours and valid now: an access token (client or user) or a refresh token.
   * Undefined for anything else (expired, forged, an id_token, not a JWT). Stateless: sessions are not read.
   */
  async inspect(token: string): Promise<InspectedToken | undefined> {
    try {
      return { kind: 'access', claims: await this.verifyAccessToken(token) };
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
    }
    try {
      return { kind: 'refresh', claims: refreshTokenClaims(await this.signer.verify(token, { audience: this.cradle.issuer, typ: 'JWT' })) };
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      return undefined;
    }
  }

  /** The session as recorded (undefined when it never existed). */
  session(sid: string): Promise<SessionState> {
    return loadState(this.cradle.eventStore, sessionStreamId(sid), sessionDecider);
  }

  /** Ends a session for a client that revoked one of its tokens (RFC 7009); recorded as `SessionRevoked`. */
  async revokeSession(sid: string, revokedBy: { clientId: string; tokenJti: string }, metadata: Partial<EventMetadata>): Promise<void> {
    await handleCommand(
      this.cradle.eventStore,
      sessionStreamId(sid),
      sessionDecider,
      { type: 'RevokeSession', reason: 'revoked_by_client', ...revokedBy },
      metadata,
    );
  }

  /** Signature, issuer, audience, expiry, kind and every claim's type; `InvalidTokenError` for anything wrong. Stateless. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    // a client presents the same token on every call until it expires: check its signature once
    const known = this.verifiedAccessTokens.get(token);
    if (known && known.exp * 1000 > this.cradle.clock.now().getTime()) return known;
    const payload = await this.signer.verify(token, { audience: this.cradle.issuer, typ: 'at+jwt' });
    return this.verifiedAccessTokens.set(token, accessTokenClaims(payload));
  }

  /** The signed handle of a redirect SMS login link: where to send the code, and the request's `state`. */
  signRedirectLink(link: Pick<RedirectLinkClaims, 'redirect_uri' | 'code' | 'state'>, ttlSeconds: number): Promise<string> {
    return this.signer.sign(
      { ...link, token_use: 'redirect', aud: this.cradle.issuer },
      { now: this.cradle.clock.now(), ttlSeconds, typ: 'JWT' },
    );
  }

  /** A redirect link handle's claims; `InvalidTokenError` when it is not a valid one. */
  async verifyRedirectLink(token: string): Promise<RedirectLinkClaims> {
    return redirectLinkClaims(await this.signer.verify(token, { audience: this.cradle.issuer, typ: 'JWT' }));
  }

  /** False once the session is revoked (or when it never existed). */
  async isSessionActive(sid: string): Promise<boolean> {
    const session = await loadState(this.cradle.eventStore, sessionStreamId(sid), sessionDecider);
    return session !== undefined && !session.revoked;
  }

  private async verifyRefreshToken(token: string): Promise<RefreshTokenClaims> {
    try {
      return refreshTokenClaims(await this.signer.verify(token, { audience: this.cradle.issuer, typ: 'JWT' }));
    } catch (error) {
      if (error instanceof InvalidTokenError)
        throw new InvalidGrantError('invalid_refresh_token', `invalid refresh token: ${error.message}`);
      throw error;
    }
  }

  private plan(sid: string, scope: string, alg: SigningAlg, nonce?: string): TokenPlan {
    const now = this.cradle.clock.now();
    const expiresAt = new Date(now.getTime() + this.cradle.config.oidc.accessTokenTtlSeconds * 1000).toISOString();
    return {
      now,
      sid,
      scope,
      idTokenAlg: alg,
      ...(nonce !== undefined && { nonce }),
      ids: { accessTokenJti: this.cradle.ids.uuid(), refreshTokenJti: this.cradle.ids.uuid(), expiresAt },
    };
  }

  private async signSessionTokens(
    { now, sid, ids, scope, idTokenAlg: alg, nonce }: TokenPlan,
    app: Application,
    user: User,
    amr: string[],
  ): Promise<SessionTokenResponse> {
    const { oidc } = this.cradle.config;
    const aud = this.cradle.issuer;
    const common = { sub: user.userId, client_id: app.clientId, tenant_id: app.tenantId, sid };
    const access: Omit<UserAccessTokenClaims, 'iss' | 'iat' | 'exp'> = {
      ...common,
      aud,
      token_use: 'user',
      jti: ids.accessTokenJti,
      scope,
    };
    const refresh: Omit<RefreshTokenClaims, 'iss' | 'iat' | 'exp'> = { ...common, aud, token_use: 'refresh', jti: ids.refreshTokenJti };
    const id: Omit<IdTokenClaims, 'iss' | 'iat' | 'exp'> = {
      sub: user.userId,
      aud: app.clientId,
      sid,
      amr,
      ...(nonce !== undefined && { nonce }),
      ...(user.phoneNumber && { phone_number: user.phoneNumber }),
      phone_number_verified: user.phoneNumberVerified,
      ...(user.email && { email: user.email }),
      ...(user.username && { username: user.username }),
    };
    const [access_token, id_token, refresh_token] = await Promise.all([
      this.signer.sign(access, { now, ttlSeconds: oidc.accessTokenTtlSeconds, typ: 'at+jwt' }),
      this.signer.sign(id, { now, ttlSeconds: oidc.idTokenTtlSeconds, typ: 'JWT', alg }),
      this.signer.sign(refresh, { now, ttlSeconds: oidc.refreshTokenTtlSeconds, typ: 'JWT' }),
    ]);
    return { access_token, id_token, refresh_token, token_type: 'Bearer', expires_in: oidc.accessTokenTtlSeconds, session_id: sid };
  }
}

export type InspectedToken = { kind: 'access'; claims: AccessTokenClaims } | { kind: 'refresh'; claims: RefreshTokenClaims };
