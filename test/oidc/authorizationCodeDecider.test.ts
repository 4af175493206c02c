import { expect } from 'chai';
import {
  authorizationCodeDecider,
  AuthorizationCodeError,
  type AuthorizationCodeCommand,
} from '../../core/oidc/authorizationCodeDecider.js';
import type { AuthorizationCodeEvent, AuthorizationCodeGrant } from '../../core/oidc/authorizationCodeEvents.js';
import { InvalidGrantError } from '../../core/oidc/oauthErrors.js';
import { spec } from '../support/givenWhenThen.js';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const grant: AuthorizationCodeGrant = {
  tenantId: 'acme',
  clientId: 'acme-web',
  redirectUri: 'https://acme.example/verify',
  userId: 'u1',
  phoneNumber: '+14155550100',
  createNewUser: false,
  expiresAt: at(60).toISOString(),
};
const issued: AuthorizationCodeEvent = { type: 'AuthorizationCodeIssued', data: grant };
type Redeem = Extract<AuthorizationCodeCommand, { type: 'RedeemAuthorizationCode' }>;
const redeem = (seconds: number, changes: Partial<Omit<Redeem, 'type'>> = {}): Redeem => ({
  type: 'RedeemAuthorizationCode',
  clientId: grant.clientId,
  redirectUri: grant.redirectUri,
  now: at(seconds),
  sid: 's1',
  ...changes,
});
const redeemed = (seconds: number): AuthorizationCodeEvent => ({
  type: 'AuthorizationCodeRedeemed',
  data: { clientId: 'acme-web', at: at(seconds).toISOString(), sid: 's1' },
});

function refusedWith(command: AuthorizationCodeCommand, events: AuthorizationCodeEvent[], rule: string) {
  const state = events.reduce(authorizationCodeDecider.evolve, authorizationCodeDecider.initialState());
  expect(() => authorizationCodeDecider.decide(command, state))
    .to.throw(AuthorizationCodeError)
    .with.property('rule', rule);
}

describe('authorization code decider', () => {
  const codes = spec(authorizationCodeDecider);

  it('issues a code', () => {
    codes.given([]).when({ type: 'IssueAuthorizationCode', grant }).then([issued]);
  });

  it('redeems a code for its client and redirect_uri before it expires', () => {
    codes
      .given([issued])
      .when(redeem(59))
      .then([redeemed(59)]);
  });

  it('redeems a code once, recording the session it starts; a replay is recorded with that session, for the caller to revoke it', () => {
    codes
      .given([issued])
      .when(redeem(1))
      .then([redeemed(1)]);
    codes
      .given([issued, redeemed(1)])
      .when(redeem(2, { sid: 's2' }))
      .then([{ type: 'AuthorizationCodeReplayed', data: { clientId: 'acme-web', at: at(2).toISOString(), sid: 's1' } }]);
    // the replay of another client, too: the code is spent, whoever presents it
    codes
      .given([issued, redeemed(1)])
      .when(redeem(2, { clientId: 'other-app' }))
      .then([{ type: 'AuthorizationCodeReplayed', data: { clientId: 'other-app', at: at(2).toISOString(), sid: 's1' } }]);
  });

  it('PKCE: a code issued with a challenge needs the verifier of that challenge; a verifier without a challenge is refused', () => {
    const withChallenge: AuthorizationCodeEvent = {
      type: 'AuthorizationCodeIssued',
      data: { ...grant, codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' },
    };
    codes
      .given([withChallenge])
      .when({ ...redeem(1), verifierChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })
      .then([redeemed(1)]);
    refusedWith(redeem(1), [withChallenge], 'pkce_required');
    refusedWith({ ...redeem(1), verifierChallenge: 'x'.repeat(43) }, [withChallenge], 'pkce_mismatch');
    refusedWith({ ...redeem(1), verifierChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' }, [issued], 'pkce_unexpected');
    refusedWith({ ...redeem(1), requirePkce: true }, [issued], 'pkce_required');
  });

  it('refuses an expired code', () => {
    refusedWith(redeem(60), [issued], 'code_expired');
  });

  it('refuses another client', () => {
    refusedWith(redeem(1, { clientId: 'other-app' }), [issued], 'wrong_client');
  });

  it('refuses another redirect_uri, even one that only adds to it', () => {
    refusedWith(redeem(1, { redirectUri: 'https://evil.example/verify' }), [issued], 'wrong_redirect_uri');
    refusedWith(redeem(1, { redirectUri: `${grant.redirectUri}?x=1` }), [issued], 'wrong_redirect_uri');
  });

  it('refuses an unknown code', () => {
    refusedWith(redeem(1), [], 'unknown_code');
  });

  it('refuses every time with an OAuth invalid_grant', () => {
    codes.given([issued]).when(redeem(60)).then(InvalidGrantError);
    expect(new AuthorizationCodeError('code_used', 'x').reason).to.equal('invalid_grant');
  });

  it('never issues the same code twice', () => {
    codes.given([issued]).when({ type: 'IssueAuthorizationCode', grant }).then(AuthorizationCodeError);
  });
});
