import { expect } from 'chai';
import { ApplicationError, applicationDecider, type ApplicationCommand } from '../../core/applications/applicationDecider.js';
import { defaultOtpSettings, type ApplicationEvent, type ApplicationSettings } from '../../core/applications/applicationEvents.js';
import { spec } from '../support/givenWhenThen.js';

const settings: ApplicationSettings = { name: 'Web', role: 'app', redirect_uris: [], public_signup: true, otp: defaultOtpSettings };
const registered: ApplicationEvent = {
  type: 'ApplicationRegistered',
  data: { ...settings, tenantId: 'acme', clientId: 'web', secretHash: 'h1' },
};
const register: ApplicationCommand = { type: 'RegisterApplication', tenantId: 'acme', clientId: 'web', secretHash: 'h1', settings };
const publicSettings: ApplicationSettings = { ...settings, token_endpoint_auth_method: 'none' };
const publicRegistered: ApplicationEvent = {
  type: 'ApplicationRegistered',
  data: { ...publicSettings, tenantId: 'acme', clientId: 'kiosk' },
};

const refusal = (command: ApplicationCommand, given: ApplicationEvent[] = [registered]) => {
  try {
    applicationDecider.decide(command, given.reduce(applicationDecider.evolve, applicationDecider.initialState()));
  } catch (error) {
    expect(error).to.be.instanceOf(ApplicationError);
    return (error as ApplicationError).reason;
  }
  throw new Error('the command was not refused');
};

describe('application decider', () => {
  it('registers an application once; a second registration of the id is "client_id is not available", whichever tenant asks', () => {
    spec(applicationDecider).given([]).when(register).then([registered]);
    spec(applicationDecider).given([registered]).when(register).then(ApplicationError);
    expect(() => applicationDecider.decide({ ...register, tenantId: 'globex' }, applicationDecider.evolve(undefined, registered))).to.throw(
      'client_id is not available',
    );
  });

  it('a confidential client needs a secret; a public one has none and is an end-user app', () => {
    expect(refusal({ ...register, secretHash: undefined } as ApplicationCommand, [])).to.equal('invalid_request');
    expect(refusal({ ...register, settings: publicSettings }, [])).to.equal('invalid_request');
    expect(
      refusal(
        { type: 'RegisterApplication', tenantId: 'acme', clientId: 'kiosk', settings: { ...publicSettings, role: 'management' } },
        [],
      ),
    ).to.equal('invalid_request');
    spec(applicationDecider)
      .given([])
      .when({ type: 'RegisterApplication', tenantId: 'acme', clientId: 'kiosk', settings: publicSettings })
      .then([publicRegistered]);
  });

  it("an update records only what changes; nothing changed decides nothing; another tenant's application is not found", () => {
    spec(applicationDecider)
      .given([registered])
      .when({ type: 'UpdateApplication', tenantId: 'acme', changes: { name: 'Shop', public_signup: true } })
      .then([{ type: 'ApplicationUpdated', data: { name: 'Shop' } }]);
    spec(applicationDecider)
      .given([registered])
      .when({ type: 'UpdateApplication', tenantId: 'acme', changes: { otp: defaultOtpSettings } })
      .then([]);
    expect(refusal({ type: 'UpdateApplication', tenantId: 'globex', changes: { name: 'Mine' } })).to.equal('not_found');
    expect(refusal({ type: 'UpdateApplication', tenantId: 'acme', changes: { name: 'Mine' } }, [])).to.equal('not_found');
  });

  it('the client kind never changes by an update', () => {
    expect(refusal({ type: 'UpdateApplication', tenantId: 'acme', changes: { token_endpoint_auth_method: 'none' } })).to.equal(
      'invalid_request',
    );
    expect(refusal({ type: 'UpdateApplication', tenantId: 'acme', changes: { role: 'management' } }, [publicRegistered])).to.equal(
      'invalid_request',
    );
  });

  it("rotates a confidential client's secret; a public client has none to rotate", () => {
    spec(applicationDecider)
      .given([registered])
      .when({ type: 'RotateClientSecret', tenantId: 'acme', secretHash: 'h2' })
      .then([{ type: 'ClientSecretRotated', data: { secretHash: 'h2' } }]);
    expect(refusal({ type: 'RotateClientSecret', tenantId: 'acme', secretHash: 'h2' }, [publicRegistered])).to.equal('invalid_request');
  });

  it("bootstrap's EnsureApplication registers what is missing and brings an existing one to the config, secret included", () => {
    const ensure: ApplicationCommand = { ...register, type: 'EnsureApplication' };
    spec(applicationDecider).given([]).when(ensure).then([registered]);
    spec(applicationDecider).given([registered]).when(ensure).then([]);
    spec(applicationDecider)
      .given([registered])
      .when({ ...ensure, secretHash: 'h3', settings: { ...settings, name: 'Web 2' } })
      .then([
        { type: 'ApplicationUpdated', data: { name: 'Web 2' } },
        { type: 'ClientSecretRotated', data: { secretHash: 'h3' } },
      ]);
    expect(refusal({ ...ensure, tenantId: 'globex' })).to.equal('client_id_taken');
  });

  it('folds: an update merges OTP settings field by field; a client turned public keeps no secret', () => {
    const updated = [
      registered,
      { type: 'ApplicationUpdated', data: { otp: { ...defaultOtpSettings, code_length: 8 } } } as ApplicationEvent,
    ].reduce(applicationDecider.evolve, applicationDecider.initialState());
    expect(updated).to.deep.include({ clientId: 'web', secretHash: 'h1', otp: { ...defaultOtpSettings, code_length: 8 } });
    const turnedPublic = applicationDecider.evolve(updated, { type: 'ApplicationUpdated', data: { token_endpoint_auth_method: 'none' } });
    expect(turnedPublic).to.not.have.property('secretHash');
  });
});
