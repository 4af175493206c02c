import { randomBytes } from 'node:crypto';
import type { Cradle } from '../cradle.js';
import { keyedHash } from '../crypto/keyedHash.js';
import { handleCommand } from '../decider/commandHandler.js';
import { phoneNumberHash } from '../users/phoneNumber.js';
import type { EventMetadata } from '../eventStore/types.js';
import { authorizationCodeDecider } from './authorizationCodeDecider.js';
import { AUTHORIZATION_CODE_DOMAIN, authorizationCodeStreamId, type AuthorizationCodeGrant } from './authorizationCodeEvents.js';

/** Everything the code grants (its expiry is set here), and the metadata of the events. */
export interface IssueAuthorizationCodeRequest extends Omit<AuthorizationCodeGrant, 'expiresAt' | 'phoneHash'> {
  metadata: Partial<EventMetadata>;
}

export interface RedeemAuthorizationCodeRequest {
  code: string;
  clientId: string;
  redirectUri: string;
  metadata: Partial<EventMetadata>;
}

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
    };
    await handleCommand(this.deps.eventStore, this.streamOf(code), authorizationCodeDecider, { type: 'IssueAuthorizationCode', grant }, metadata);
    return code;
  }

  /** The grant the code stood for; `AuthorizationCodeError` (OAuth `invalid_grant`) when refused. */
  async redeem({ code, clientId, redirectUri, metadata }: RedeemAuthorizationCodeRequest): Promise<AuthorizationCodeGrant> {
    const result = await handleCommand(this.deps.eventStore, this.streamOf(code), authorizationCodeDecider,
      { type: 'RedeemAuthorizationCode', clientId, redirectUri, now: this.deps.clock.now() }, metadata);
    return result.state!.grant;
  }

  private streamOf(code: string): string {
    return authorizationCodeStreamId(keyedHash(this.deps.secrets.hmacKey, AUTHORIZATION_CODE_DOMAIN, code));
  }
}
