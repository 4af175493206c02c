import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SmsProviderError } from '@otpledger/plugin-kit';
import { expect } from 'chai';
import Koa from 'koa';
import pino from 'pino';
import { DomainError, type DomainErrorMeaning } from '../../core/decider/decider.js';
import { errorHandler } from '../../core/http/errorHandler.js';
import { errorRenderers } from '../../core/http/errorRenderers.js';
import type { AppState } from '../../core/http/types.js';
import { LockedOutError } from '../../core/otp/otpDecider.js';
import { SmsSendRefusedError } from '../../core/protection/smsSendRefused.js';
import { UserError } from '../../core/users/userDecider.js';
import { WrongVerificationCodeError } from '../../core/auth0/passwordlessErrors.js';

const at = '2026-11-22T10:00:00.000Z';
const thrown: Record<string, () => unknown> = {
  provider: () => new SmsProviderError('timeout', 'the gateway did not answer'),
  country: () => new SmsSendRefusedError({ reason: 'country', mode: 'enforce', clientId: 'web', country: 'GB', at }),
  cooldown: () => new SmsSendRefusedError({ reason: 'cooldown', mode: 'enforce', clientId: 'web', retryAfterSeconds: 12, at }),
  lockedOut: () => new LockedOutError(new Date(at)),
  wrongCode: () => new WrongVerificationCodeError(),
  userExists: () => new UserError('user_exists', 'user already exists', 'conflict'),
  ...Object.fromEntries(
    (['invalid', 'not_found', 'conflict', 'forbidden', 'limited'] as DomainErrorMeaning[]).map((meaning) => [
      meaning,
      () => new DomainError(`some_${meaning}`, `refused: ${meaning}`, meaning),
    ]),
  ),
};

/**
 * One error mapping: the domain's errors say what they mean, each dialect's one renderer answers them in its
 * status and words, through the server's own error boundary (any path under a dialect's prefix, a route or not).
 */
describe('error mapping: one renderer per dialect over errors that carry their meaning', () => {
  let url: string;
  let close: () => void;

  before(async () => {
    const app = new Koa<AppState>();
    app.use(async (ctx, next) => {
      ctx.state.log = pino({ level: 'silent' }) as never;
      await next();
    });
    app.use(errorHandler(errorRenderers));
    app.use((ctx) => {
      throw thrown[ctx.query.error as string]!();
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());

  const answer = async (path: string, error: string) => {
    const response = await fetch(`${url}${path}?error=${error}`);
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  it('a domain refusal gets the status of its meaning and its reason as the code', async () => {
    const statuses: Record<string, number> = {};
    for (const meaning of ['invalid', 'not_found', 'conflict', 'forbidden', 'limited']) {
      const { status, body } = await answer('/admin/v1/x', meaning);
      statuses[meaning] = status;
      expect(body).to.deep.equal({ error: `some_${meaning}`, error_description: `refused: ${meaning}` });
    }
    expect(statuses).to.deep.equal({ invalid: 400, not_found: 404, conflict: 409, forbidden: 403, limited: 429 });
  });

  it("an SMS provider failure: 502 for Mosaic, Twilio and the operator, 400 sms_provider_error for Auth0's Authentication API (its contract)", async () => {
    expect(await answer('/cis/v1/auth/otp/send', 'provider')).to.deep.include({
      status: 502,
      body: { message: 'the SMS could not be delivered (timeout)', error_code: 502 },
    });
    expect(await answer('/v2/Services/VA1/Verifications', 'provider')).to.deep.include({
      status: 502,
      body: {
        code: 20503,
        message: 'the SMS could not be delivered (timeout)',
        more_info: 'https://www.twilio.com/docs/errors/20503',
        status: 502,
      },
    });
    expect(await answer('/passwordless/start', 'provider')).to.deep.include({
      status: 400,
      body: { error: 'sms_provider_error', error_description: 'the gateway did not answer' },
    });
    expect((await answer('/api/v2/connections', 'provider')).body).to.deep.equal({
      statusCode: 502,
      error: 'Bad Gateway',
      message: 'the SMS could not be delivered (timeout)',
      errorCode: 'sms_delivery_failed',
    });
    expect((await answer('/admin/v1/x', 'provider')).status).to.equal(502);
  });

  it("a send refused by SMS protection: 403 for a destination rule, 429 with Retry-After for a limit, in each dialect's code", async () => {
    expect(await answer('/cis/v1/auth/otp/send', 'country')).to.deep.include({
      status: 403,
      body: { message: 'SMS to GB is not allowed for this tenant', error_code: 403 },
    });
    expect((await answer('/passwordless/start', 'country')).body.error).to.equal('access_denied');
    expect((await answer('/v2/Services/VA1/Verifications', 'country')).body).to.include({ code: 60605, status: 403 });
    expect((await answer('/admin/v1/x', 'country')).body.error).to.equal('sms_not_allowed');
    for (const path of ['/cis/v1/auth/otp/send', '/passwordless/start', '/v2/Services/VA1/Verifications', '/admin/v1/x']) {
      const { status, retryAfter } = await answer(path, 'cooldown');
      expect([path, status, retryAfter]).to.deep.equal([path, 429, '12']);
    }
    expect((await answer('/passwordless/start', 'cooldown')).body.error).to.equal('too_many_requests');
    expect((await answer('/v2/Services/VA1/Verifications', 'cooldown')).body.code).to.equal(20429);
  });

  it("a locked-out phone is 429 everywhere, Twilio's 60202 under /v2; a user clash is 409, but invalid_grant at the token endpoints", async () => {
    expect((await answer('/cis/v1/auth/otp/validate', 'lockedOut')).status).to.equal(429);
    expect((await answer('/v2/Services/VA1/VerificationCheck', 'lockedOut')).body).to.include({ status: 429, code: 60202 });
    expect(await answer('/admin/v1/users', 'userExists')).to.deep.include({ status: 409 });
    for (const path of ['/oidc/token', '/oauth/token']) {
      expect(await answer(path, 'userExists')).to.deep.include({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'user already exists' },
      });
    }
  });

  it("a wrong passwordless code: 403 invalid_grant in Auth0's words at /oauth/token, 400 in RFC 6749's at /oidc/token", async () => {
    expect((await answer('/oauth/token', 'wrongCode')).status).to.equal(403);
    expect(await answer('/oidc/token', 'wrongCode')).to.deep.include({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Wrong phone number or verification code.' },
    });
  });
});
