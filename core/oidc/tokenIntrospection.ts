import type { Application } from '../applications/applicationDecider.js';
import type { Cradle } from '../cradle.js';
import { keyedHash } from '../crypto/keyedHash.js';
import type { EventMetadata } from '../eventStore/types.js';
import { ALL_SCOPES, type TokenService } from './tokenService.js';

/** Tokens are hashed in this domain of `keyedHash` to name their introspection stream; the token itself is never stored. */
export const TOKEN_DOMAIN = 'token';

/** The one owner of introspection stream names: one stream per token introspected, named by its keyed hash. */
export const introspectionStreamId = (tokenHash: string) => `introspection-${tokenHash}`;

export interface TokenIntrospectedData {
  /** The client that asked. */
  clientId: string;
  active: boolean;
  /** What the token was, when it was one of ours and valid. */
  tokenUse?: 'client' | 'user' | 'refresh';
  jti?: string;
  sid?: string;
  at: string;
}

export type TokenIntrospectionEvent = { type: 'TokenIntrospected'; data: TokenIntrospectedData };

/** RFC 7662 §2.2: `{ active: false }` says nothing more, whatever the reason. */
export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

type Deps = Pick<Cradle, 'eventStore' | 'secrets' | 'clock' | 'issuer'> & { tokens: Pick<TokenService, 'inspect' | 'session'> };

/**
 * Token introspection (RFC 7662) for a tenant's confidential clients: a token is active when it is ours,
 * valid now, of the same tenant, and, for a session's tokens, when the session is still active (a refresh
 * token must also be the session's latest). Every introspection is recorded as `TokenIntrospected`.
 */
export class TokenIntrospection {
  constructor(private readonly deps: Deps) {}

  async introspect(client: Application, token: string, metadata: Partial<EventMetadata>): Promise<IntrospectionResponse> {
    const answer = await this.answer(client, token);
    const inspected = answer.active ? answer : undefined;
    const data: TokenIntrospectedData = {
      clientId: client.clientId,
      active: answer.active,
      at: this.deps.clock.now().toISOString(),
      ...(inspected && { tokenUse: inspected.token_use as TokenIntrospectedData['tokenUse'], jti: inspected.jti as string }),
      ...(typeof inspected?.sid === 'string' && { sid: inspected.sid }),
    };
    const stream = introspectionStreamId(keyedHash(this.deps.secrets.hmacKey, TOKEN_DOMAIN, token));
    await this.deps.eventStore.appendToStream(stream, [{ type: 'TokenIntrospected', data, metadata }]);
    return answer;
  }

  private async answer(client: Application, token: string): Promise<IntrospectionResponse> {
    const inspected = await this.deps.tokens.inspect(token);
    if (!inspected || inspected.claims.tenant_id !== client.tenantId) return { active: false };
    const { claims } = inspected;
    const common = {
      active: true as const,
      iss: this.deps.issuer,
      aud: claims.aud,
      sub: claims.sub,
      client_id: claims.client_id,
      tenant_id: claims.tenant_id,
      iat: claims.iat,
      exp: claims.exp,
      jti: claims.jti,
      token_use: claims.token_use,
    };
    if (claims.token_use === 'client') return { ...common, token_type: 'Bearer', role: claims.role };
    const session = await this.deps.tokens.session(claims.sid);
    if (!session || session.revoked) return { active: false };
    if (claims.token_use === 'refresh' && session.refreshTokenJti !== claims.jti) return { active: false };
    const scope = claims.token_use === 'user' ? (claims.scope ?? session.scope ?? ALL_SCOPES) : (session.scope ?? ALL_SCOPES);
    return { ...common, sid: claims.sid, scope, token_type: claims.token_use === 'user' ? 'Bearer' : 'refresh_token' };
  }
}
