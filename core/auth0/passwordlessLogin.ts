import type { Application } from '../applications/applicationDecider.js';
import type { Clock } from '../clock.js';
import { keyedHash } from '../crypto/keyedHash.js';
import { handleCommand } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { TokenService } from '../oidc/tokenService.js';
import type { OtpService } from '../otp/otpService.js';
import type { RequestContext } from '../otp/requestContext.js';
import type { PhoneNumber } from '../users/phoneNumber.js';
import type { UserDirectory } from '../users/userDirectory.js';
import { bruteForceDecider, bruteForceStreamId } from './bruteForceDecider.js';
import { ConnectionNotEnabledError, SignupDisabledError, WrongVerificationCodeError } from './passwordlessErrors.js';
import { passwordlessRules } from './passwordlessRules.js';
import type { ConnectionSettings } from './smsConnection.js';
import type { SmsConnections } from './smsConnections.js';

/** Auth0's brute-force protection: 10 consecutive failures of one user from one IP block that IP for that user. */
const BRUTE_FORCE_LIMIT = 10;
/** Auth0 keeps the block until an admin lifts it; otpledger has no unblock API yet, so the block lifts by itself. */
const BRUTE_FORCE_BLOCK_MINUTES = 60;

export interface PasswordlessRequest {
  app: Application;
  phone: PhoneNumber;
  /** The end user's request: its IP keys brute-force protection and, with `forward_req_info`, goes to the gateway. */
  request: RequestContext;
  metadata: Partial<EventMetadata>;
}

type Deps = {
  otpService: OtpService;
  users: UserDirectory;
  tokens: TokenService;
  smsConnections: SmsConnections;
  eventStore: EventStore;
  secrets: { hmacKey: Buffer };
  clock: Clock;
};

/**
 * The Auth0 dialect's passwordless SMS flow over the same domain as the Mosaic one: the same OTP streams and
 * rules (with Auth0's policy), the same users, the same sessions and token events.
 */
export class PasswordlessLogin {
  constructor(private readonly deps: Deps) {}

  /** `/passwordless/start`: sends a code through the connection's provider; `SmsProviderError` when it could not. */
  async start({ app, phone, request, metadata }: PasswordlessRequest) {
    const connection = await this.connection(app);
    // the number's country and type are screened before the user lookup: the same answer for everyone
    const screenedUnder = await this.deps.otpService.checkDestination({ app, purpose: 'login', phone, request, metadata });
    const user = await this.deps.users.findUser(app.tenantId, 'phone_number', phone.e164);
    if (!user && connection.disable_signup) throw new SignupDisabledError();
    // the request is always offered: only a provider configured with forward_req_info sends it on
    const { otpId } = await this.deps.otpService.send({
      app,
      purpose: 'login',
      phone,
      ...(user && { userId: user.userId }),
      recipientVerified: user?.phoneNumberVerified ?? false,
      screenedUnder,
      rules: passwordlessRules(connection, app.name),
      request,
      metadata,
    });
    // false for every phone, known or not, until this start's code is used: the answer must not say who is a user
    return { _id: otpId, phone_number: phone.e164, phone_verified: false, request_language: null };
  }

  /** The passwordless OTP grant: the code for tokens, creating the user on first login unless signup is disabled. */
  async exchange(request: PasswordlessRequest & { otp: string; scope: string }) {
    const { app, phone, otp, metadata } = request;
    const { users, otpService, tokens } = this.deps;
    const connection = await this.connection(app);
    const guard = connection.brute_force_protection ? this.bruteForce(request) : undefined;
    await guard?.({ type: 'CheckIp', now: this.deps.clock.now() });
    const known = await users.findUser(app.tenantId, 'phone_number', phone.e164);
    const result =
      !known && connection.disable_signup
        ? { ok: false as const }
        : await otpService.verify({ app, purpose: 'login', phone, passcode: otp, request: request.request, metadata });
    if (!result.ok) {
      await guard?.({
        type: 'RecordLoginFailure',
        now: this.deps.clock.now(),
        limit: BRUTE_FORCE_LIMIT,
        blockMinutes: BRUTE_FORCE_BLOCK_MINUTES,
      });
      throw new WrongVerificationCodeError();
    }
    await guard?.({ type: 'RecordLoginSuccess', now: this.deps.clock.now() });
    const { user } = await users.createOrAddToApp(app.tenantId, app.clientId, { phoneNumber: phone.e164 }, metadata);
    const verified = user.phoneNumberVerified ? user : await users.verifyPhone(app.tenantId, user.userId, phone.e164, 'login', metadata);
    const session = await tokens.startSession({
      app,
      user: verified,
      amr: ['otp', 'sms'],
      scope: request.scope,
      dialect: 'auth0',
      metadata,
    });
    const offline = request.scope.split(' ').includes('offline_access');
    return {
      access_token: session.access_token,
      id_token: session.id_token,
      ...(offline && { refresh_token: session.refresh_token }),
      token_type: session.token_type,
      expires_in: session.expires_in,
      scope: request.scope,
    };
  }

  private async connection(app: Application): Promise<ConnectionSettings> {
    const connection = await this.deps.smsConnections.settings(app.tenantId);
    if (!connection.enabled_clients.includes(app.clientId)) throw new ConnectionNotEnabledError(app.clientId);
    return connection;
  }

  /** Commands on this user's and this IP's brute-force stream; `IpBlockedError` while the IP is blocked for the user. */
  private bruteForce({ app, phone, request, metadata }: PasswordlessRequest) {
    const { hmacKey } = this.deps.secrets;
    const stream = bruteForceStreamId(app.tenantId, this.deps.otpService.phoneHash(phone), keyedHash(hmacKey, 'ip', request.ip));
    return (command: Parameters<typeof bruteForceDecider.decide>[0]) =>
      handleCommand(this.deps.eventStore, stream, bruteForceDecider, command, metadata);
  }
}
