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
