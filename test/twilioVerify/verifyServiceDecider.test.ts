import { expect } from 'chai';
import { verifyServiceDecider, VerifyServiceNotFoundError } from '../../core/twilioVerify/verifyServiceDecider.js';
import { TWILIO_SERVICE_DEFAULTS, type VerifyServiceEvent } from '../../core/twilioVerify/verifyServiceEvents.js';
import { spec } from '../support/givenWhenThen.js';

const now = new Date('2026-11-22T10:00:00.000Z');
const at = now.toISOString();
const sid = `VA${'a'.repeat(32)}`;
const settings = { ...TWILIO_SERVICE_DEFAULTS, friendlyName: 'Acme' };
const created: VerifyServiceEvent = { type: 'VerifyServiceCreated', data: { tenantId: 'acme', sid, settings, at } };

describe('Verify Service decider', () => {
  it('creates a Service with its settings', () => {
    spec(verifyServiceDecider).given([]).when({ type: 'CreateService', now, tenantId: 'acme', sid, settings }).then([created]);
  });

  it('an update records only the settings that change; one that changes nothing records nothing', () => {
    spec(verifyServiceDecider)
      .given([created])
      .when({ type: 'UpdateService', now, sid, changes: { friendlyName: 'Acme', codeLength: 8 } })
      .then([{ type: 'VerifyServiceUpdated', data: { sid, changes: { codeLength: 8 }, at } }]);
    spec(verifyServiceDecider)
      .given([created])
      .when({ type: 'UpdateService', now, sid, changes: { codeLength: 6 } })
      .then([]);
  });

  it('deletes a Service; after that it is gone for updates and deletes', () => {
    const deleted: VerifyServiceEvent = { type: 'VerifyServiceDeleted', data: { sid, at } };
    spec(verifyServiceDecider).given([created]).when({ type: 'DeleteService', now, sid }).then([deleted]);
    spec(verifyServiceDecider).given([created, deleted]).when({ type: 'DeleteService', now, sid }).then(VerifyServiceNotFoundError);
    spec(verifyServiceDecider)
      .given([created, deleted])
      .when({ type: 'UpdateService', now, sid, changes: { codeLength: 8 } })
      .then(VerifyServiceNotFoundError);
    spec(verifyServiceDecider).given([]).when({ type: 'DeleteService', now, sid }).then(VerifyServiceNotFoundError);
  });

  it('folds creation and updates into the Service with its times', () => {
    const later = '2026-11-22T11:00:00.000Z';
    const state = [
      created,
      { type: 'VerifyServiceUpdated', data: { sid, changes: { codeLength: 8 }, at: later } } as VerifyServiceEvent,
    ].reduce(verifyServiceDecider.evolve, verifyServiceDecider.initialState());
    expect(state.services.get(sid)).to.deep.equal({
      tenantId: 'acme',
      sid,
      settings: { ...settings, codeLength: 8 },
      createdAt: at,
      updatedAt: later,
    });
  });
});
