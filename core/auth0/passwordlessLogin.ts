import type { Application } from '../applications/applicationDecider.js';
import type { Clock } from '../clock.js';
import { keyedHash } from '../crypto/keyedHash.js';
import { handleCommand } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { TokenService } from '../oidc/tokenService.js';
import type { OtpPolicy } from '../otp/otpDecider.js';
import type { OtpService } from '../otp/otpService.js';
import type { PhoneNumber } from '../users/phoneNumber.js';
import type { UserDirectory } from '../users/userDirectory.js';
import { bruteForceDecider, bruteForceStreamId } from './bruteForceDecider.js';
import { ConnectionNotEnabledError, SignupDisabledError, WrongVerificationCodeError } from './passwordlessErrors.js';
import { renderPasswordlessSms } from './passwordlessTemplate.js';
import type { ConnectionSettings } from './smsConnection.js';
import type { SmsConnections } from './smsConnections.js';

/** Auth0's OTP rules: no lockout of the phone, 3 wrong guesses burn a code. */
export const AUTH0_OTP_POLICY: OtpPolicy = { maxFailedAttempts: null, lockoutMinutes: 0, maxAttemptsPerCode: 3 };
/** Auth0's brute-force protection: 10 consecutive failures of one user from one IP block that IP for that user. */
export const BRUTE_FORCE_LIMIT = 10;
/** Auth0 keeps the block until an admin lifts it; otpledger has no unblock API yet, so the block lifts by itself. */
export const BRUTE_FORCE_BLOCK_MINUTES = 60;

export interface PasswordlessRequest {
  app: Application;
  phone: PhoneNumber;
  /** The end user's request: its IP keys brute-force protection and, with `forward_req_info`, goes to the gateway. */
  ip: string;
  userAgent?: string;
  metadata: Partial<EventMetadata>;
}

type Deps = { otpService: OtpService; users: UserDirectory; tokens: TokenService; smsConnections: SmsConnections; eventStore: EventStore; secrets: { hmacKey: Buffer }; clock: Clock };

/**
 * The Auth0 dialect's passwordless SMS flow over the same domain as the Mosaic one: the same OTP streams and
 * rules (with Auth0's policy), the same users, the same sessions and token events.
 */
export class PasswordlessLogin {
  constructor(private readonly deps: Deps) {}

  /** `/passwordless/start`: sends a code through the connection's provider; `SmsProviderError` when it could not. */
  async start({ app, phone, ip, userAgent, metadata }: PasswordlessRequest) {
    const connection = await this.connection(app);
    const user = await this.deps.users.findUser(app.tenantId, 'phone_number', phone.e164);
    if (!user && connection.disable_signup) throw new SignupDisabledError();
    const { otpId } = await this.deps.otpService.send({
      tenantId: app.tenantId, app, purpose: 'login', phone, metadata,
      ...(user && { userId: user.userId }),
      codeLength: connection.totp.length,
      ttlSeconds: connection.totp.time_step,
      render: (code) => renderPasswordlessSms(connection.template, { code, applicationName: app.name }),
      // always offered: only a provider configured with forward_req_info sends it on
      requestInfo: { ip, ...(userAgent && { userAgent }) },
      maxRetries: 0, // Auth0 calls the gateway once
    });
    return { _id: otpId, phone_number: phone.e164, phone_verified: user?.phoneNumberVerified ?? false, request_language: null };
  }

  /** The passwordless OTP grant: the code for tokens, creating the user on first login unless signup is disabled. */
  async exchange(request: PasswordlessRequest & { otp: string; scope: string }) {
    const { app, phone, otp, metadata } = request;
    const { users, otpService, tokens } = this.deps;
    const connection = await this.connection(app);
    const guard = connection.brute_force_protection ? this.bruteForce(request) : undefined;
    await guard?.({ type: 'CheckIp', now: this.deps.clock.now() });
    const known = await users.findUser(app.tenantId, 'phone_number', phone.e164);
    const result = !known && connection.disable_signup
      ? { ok: false as const }
      : await otpService.verify({ tenantId: app.tenantId, app, purpose: 'login', phone, passcode: otp, metadata, policy: AUTH0_OTP_POLICY });
    if (!result.ok) {
      await guard?.({ type: 'RecordLoginFailure', now: this.deps.clock.now(), limit: BRUTE_FORCE_LIMIT, blockMinutes: BRUTE_FORCE_BLOCK_MINUTES });
      throw new WrongVerificationCodeError();
    }
    await guard?.({ type: 'RecordLoginSuccess', now: this.deps.clock.now() });
    const { user } = await users.createOrAddToApp(app.tenantId, app.clientId, { phoneNumber: phone.e164 }, metadata);
    const verified = user.phoneNumberVerified ? user : await users.verifyPhone(app.tenantId, user.userId, phone.e164, 'login', metadata);
    const session = await tokens.startSession({ app, user: verified, amr: ['otp', 'sms'], metadata });
    const offline = request.scope.split(' ').includes('offline_access');
    return {
      access_token: session.access_token, id_token: session.id_token,
      ...(offline && { refresh_token: session.refresh_token }),
      token_type: session.token_type, expires_in: session.expires_in, scope: request.scope,
    };
  }

  private async connection(app: Application): Promise<ConnectionSettings> {
    const connection = await this.deps.smsConnections.settings(app.tenantId);
    if (!connection.enabled_clients.includes(app.clientId)) throw new ConnectionNotEnabledError(app.clientId);
    return connection;
  }

  /** Commands on this user's and this IP's brute-force stream; `IpBlockedError` while the IP is blocked for the user. */
  private bruteForce({ app, phone, ip, metadata }: PasswordlessRequest) {
    const { hmacKey } = this.deps.secrets;
    const stream = bruteForceStreamId(app.tenantId, this.deps.otpService.phoneHash(phone), keyedHash(hmacKey, 'ip', ip));
    return (command: Parameters<typeof bruteForceDecider.decide>[0]) => handleCommand(this.deps.eventStore, stream, bruteForceDecider, command, metadata);
  }
}
