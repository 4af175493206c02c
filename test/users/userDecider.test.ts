import { expect } from 'chai';
import { userDecider, UserError } from '../../core/users/userDecider.js';
import type { UserEvent } from '../../core/users/userEvents.js';
import { spec } from '../support/givenWhenThen.js';

const created: UserEvent = {
  type: 'UserCreated',
  data: { userId: 'u1', tenantId: 'acme', clientId: 'web', phoneNumber: '+15125550100', phoneHash: 'h', email: 'a@example.com' },
};
const erased: UserEvent = { type: 'UserErased', data: { userId: 'u1', at: '2026-11-22T10:00:00.000Z', actor: 'acme-admin' } };
const erase = { type: 'EraseUser' as const, at: '2026-11-22T10:00:00.000Z', actor: 'acme-admin' };

describe('user decider: erasure', () => {
  it('erases an existing user once; a second erasure decides nothing', () => {
    spec(userDecider).given([created]).when(erase).then([erased]);
    spec(userDecider)
      .given([created, erased])
      .when({ ...erase, at: '2026-11-23T00:00:00.000Z' })
      .then([]);
  });

  it('refuses to erase a user that never existed', () => {
    spec(userDecider).given([]).when(erase).then(UserError);
  });

  it('takes no more commands for an erased user', () => {
    spec(userDecider).given([created, erased]).when({ type: 'AddUserToApp', clientId: 'shop' }).then(UserError);
    spec(userDecider).given([created, erased]).when({ type: 'VerifyPhone', phoneNumber: '+15125550100', via: 'login' }).then(UserError);
    spec(userDecider)
      .given([created, erased])
      .when({ type: 'CreateUser', userId: 'u1', tenantId: 'acme', clientId: 'web' })
      .then(UserError);
  });

  it('folds an erased user into its pseudonymous id, apps and time, without any personal field', () => {
    const state = [created, { type: 'PhoneVerified', data: { phoneNumber: '+15125550100', via: 'login' } } as UserEvent, erased].reduce(
      userDecider.evolve,
      userDecider.initialState(),
    );
    expect(state).to.deep.equal({ userId: 'u1', tenantId: 'acme', phoneNumberVerified: false, apps: ['web'], erasedAt: erased.data.at });
  });

  it('keeps the phone hash out of the profile (it is for the audit index)', () => {
    expect(userDecider.evolve(undefined, created)).to.not.have.property('phoneHash');
  });
});

describe('user decider: sign-up, applications, phone verification', () => {
  const create = {
    type: 'CreateUser' as const,
    userId: 'u1',
    tenantId: 'acme',
    clientId: 'web',
    phoneNumber: '+15125550100',
    phoneHash: 'h',
    email: 'a@example.com',
  };
  const joined: UserEvent = { type: 'UserAddedToApp', data: { clientId: 'shop' } };
  const verified: UserEvent = { type: 'PhoneVerified', data: { phoneNumber: '+15125550100', phoneHash: 'h', via: 'login' } };

  it('creates a user once: a second create of the same id is a conflict', () => {
    spec(userDecider).given([]).when(create).then([created]);
    spec(userDecider).given([created]).when(create).then(UserError);
    expect(() => userDecider.decide(create, userDecider.evolve(undefined, created)))
      .to.throw(UserError)
      .with.property('meaning', 'conflict');
  });

  it('adds a user to an application once; its first application is the one it signed up with', () => {
    spec(userDecider).given([created]).when({ type: 'AddUserToApp', clientId: 'shop' }).then([joined]);
    spec(userDecider).given([created, joined]).when({ type: 'AddUserToApp', clientId: 'shop' }).then([]);
    spec(userDecider).given([created]).when({ type: 'AddUserToApp', clientId: 'web' }).then([]);
    expect([created, joined].reduce(userDecider.evolve, userDecider.initialState())!.apps).to.deep.equal(['web', 'shop']);
  });

  it('verifies a phone; the same verified phone again decides nothing, another number is verified anew', () => {
    const verify = { type: 'VerifyPhone' as const, phoneNumber: '+15125550100', phoneHash: 'h', via: 'login' as const };
    spec(userDecider).given([created]).when(verify).then([verified]);
    spec(userDecider).given([created, verified]).when(verify).then([]);
    spec(userDecider)
      .given([created, verified])
      .when({ type: 'VerifyPhone', phoneNumber: '+15125550199', via: 'verification' })
      .then([{ type: 'PhoneVerified', data: { phoneNumber: '+15125550199', via: 'verification' } }]);
    const state = [created, verified].reduce(userDecider.evolve, userDecider.initialState());
    expect(state).to.include({ phoneNumber: '+15125550100', phoneNumberVerified: true });
  });

  it('refuses to add to an application or verify the phone of a user that does not exist (not_found)', () => {
    spec(userDecider).given([]).when({ type: 'AddUserToApp', clientId: 'shop' }).then(UserError);
    spec(userDecider).given([]).when({ type: 'VerifyPhone', phoneNumber: '+15125550100', via: 'login' }).then(UserError);
  });
});
