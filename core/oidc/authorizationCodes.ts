import { createHash, randomBytes } from 'node:crypto';
import type { Cradle } from '../cradle.js';
import { keyedHash } from '../crypto/keyedHash.js';
import { handleCommand } from '../decider/commandHandler.js';
import { phoneNumberHash } from '../users/phoneNumber.js';
import type { EventMetadata } from '../eventStore/types.js';
import { AuthorizationCodeError, authorizationCodeDecider } from './authorizationCodeDecider.js';
import { sessionDecider } from './sessionDecider.js';
import { sessionStreamId } from './sessionEvents.js';
import { AUTHORIZATION_CODE_DOMAIN, authorizationCodeStreamId, type AuthorizationCodeGrant } from './authorizationCodeEvents.js';

/** Everything the code grants (its expiry is set here), and the metadata of the events. */
export interface IssueAuthorizationCodeRequest extends Omit<AuthorizationCodeGrant, 'expiresAt' | 'phoneHash'> {
  metadata: Partial<EventMetadata>;
}

export interface RedeemAuthorizationCodeRequest {
  code: string;
  clientId: string;
  redirectUri: string;
  /** The session this redemption starts (recorded with it). */
  sid: string;
  /** PKCE's `code_verifier`, when the client sent one. */
  codeVerifier?: string;
  /** A public client: the code must have had a `code_challenge`. */
  requirePkce?: boolean;
  metadata: Partial<EventMetadata>;
}

/** RFC 7636 §4.2, `S256`: what a verifier's challenge must have been. */
const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/**
 * Authorization codes of the redirect login: 256 random bits handed to the client once, recorded only
 * as a keyed hash (the stream name). Redemption appends at the revision it read, so of parallel
 * redemptions of one code exactly one succeeds; the rules are `authorizationCodeDecider`'s.
 */
export class AuthorizationCodes {
  constructor(private readonly deps: Pick<Cradle, 'eventStore' | 'secrets' | 'clock' | 'config'>) {}

  /** Returns the code (base64url); it exists nowhere else afterwards. */
  async issue({ metadata, ...request }: IssueAuthorizationCodeRequest): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const ttlMs = this.deps.config.oidc.authorizationCodeTtlSeconds * 1000;
    const grant: AuthorizationCodeGrant = {
      tenantId: request.tenantId,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      ...(request.userId && { userId: request.userId }),
      phoneNumber: request.phoneNumber,
      phoneHash: phoneNumberHash(this.deps.secrets.hmacKey, request.phoneNumber),
      createNewUser: request.createNewUser,
      expiresAt: new Date(this.deps.clock.now().getTime() + ttlMs).toISOString(),
      ...(request.nonce !== undefined && { nonce: request.nonce }),
      ...(request.codeChallenge !== undefined && { codeChallenge: request.codeChallenge }),
    };
    await handleCommand(
      this.deps.eventStore,
      this.streamOf(code),
      authorizationCodeDecider,
      { type: 'IssueAuthorizationCode', grant },
      metadata,
    );
    return code;
  }

  /**
   * The grant the code stood for; `AuthorizationCodeError` (OAuth `invalid_grant`) when refused. A code that comes
   * back after its redemption is refused, and the session its redemption started is revoked (RFC 6749 §4.1.2):
   * a stolen code replayed by the thief, or a client replaying it, ends the tokens either may hold.
   */
  async redeem({
    code,
    clientId,
    redirectUri,
    sid,
    codeVerifier,
    requirePkce,
    metadata,
  }: RedeemAuthorizationCodeRequest): Promise<AuthorizationCodeGrant> {
    const result = await handleCommand(
      this.deps.eventStore,
      this.streamOf(code),
      authorizationCodeDecider,
      {
        type: 'RedeemAuthorizationCode',
        clientId,
        redirectUri,
        now: this.deps.clock.now(),
        sid,
        ...(codeVerifier !== undefined && { verifierChallenge: s256(codeVerifier) }),
        ...(requirePkce && { requirePkce }),
      },
      metadata,
    );
    const replay = result.events.find((event) => event.type === 'AuthorizationCodeReplayed');
    if (replay) {
      if (replay.data.sid) {
        await handleCommand(
          this.deps.eventStore,
          sessionStreamId(replay.data.sid),
          sessionDecider,
          { type: 'RevokeSession', reason: 'authorization_code_replay' },
          metadata,
        );
      }
      throw new AuthorizationCodeError('code_used', 'the authorization code has already been used; the tokens issued for it are revoked');
    }
    return result.state!.grant;
  }

  private streamOf(code: string): string {
    return authorizationCodeStreamId(keyedHash(this.deps.secrets.hmacKey, AUTHORIZATION_CODE_DOMAIN, code));
  }
}
