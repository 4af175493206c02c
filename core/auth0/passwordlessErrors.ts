import { DomainError } from '../decider/decider.js';

/**
 * Refusals of the Auth0 dialect's passwordless flow. The HTTP layer (`core/http/routes/oauth/oauthErrorRenderer.ts`) gives them
 * Auth0's statuses and words; the domain only says which rule refused.
 */
export class ConnectionNotEnabledError extends DomainError {
  constructor(clientId: string) {
    super('connection_not_enabled', `the sms connection is not enabled for client ${clientId} (see enabled_clients)`);
  }
}

export class SignupDisabledError extends DomainError {
  constructor() {
    super('signup_disabled', 'Public signup is disabled');
  }
}

/** Wrong, expired, used or burnt code, and an unknown phone alike: one answer, no harvesting. */
export class WrongVerificationCodeError extends DomainError {
  constructor() {
    super('wrong_verification_code', 'Wrong phone number or verification code.');
  }
}
