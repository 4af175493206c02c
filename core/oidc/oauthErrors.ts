import { DomainError } from '../decider/decider.js';

/**
 * The grant presented at the token endpoint (an authorization code, a refresh token) is unknown,
 * expired, used, revoked or another client's: OAuth `invalid_grant` (RFC 6749 §5.2). `rule` says which.
 */
export class InvalidGrantError extends DomainError {
  constructor(
    readonly rule: string,
    description: string,
  ) {
    super('invalid_grant', description);
  }
}

/** A bearer token failed verification: OAuth `invalid_token` (RFC 6750 §3.1). */
export class InvalidTokenError extends DomainError {
  constructor(description: string) {
    super('invalid_token', description);
  }
}
