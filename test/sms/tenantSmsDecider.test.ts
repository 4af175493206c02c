import { expect } from 'chai';
import { tenantSmsDecider } from '../../core/sms/tenantSmsDecider.js';
import type { ProviderConfiguredData, TenantSmsEvent } from '../../core/sms/tenantSmsEvents.js';
import { spec } from '../support/givenWhenThen.js';

const at = '2026-11-22T10:00:00.000Z';
const twilio: ProviderConfiguredData = {
  tenantId: 'acme',
  provider: 'Twilio',
  settings: { accountSid: 'AC1', authToken: 'sealed:…' },
  fallback: [],
  configuredAt: at,
};
const configured: TenantSmsEvent = { type: 'ProviderConfigured', data: twilio };
const failure = { tenantId: 'acme', provider: 'Sfmc', code: 'auth_failed', message: 'bad key', failedAt: at };
const failed: TenantSmsEvent = { type: 'ProviderValidationFailed', data: failure };
const fold = (events: TenantSmsEvent[]) => events.reduce(tenantSmsDecider.evolve, tenantSmsDecider.initialState());

describe('tenant SMS decider', () => {
  it('records a provider configuration, a validation failure, a passwordless connection and a protection policy as one event each', () => {
    spec(tenantSmsDecider).given([]).when({ type: 'ConfigureProvider', configured: twilio }).then([configured]);
    spec(tenantSmsDecider).given([configured]).when({ type: 'RecordValidationFailure', failure }).then([failed]);
    const policy = { tenantId: 'acme', policy: {} as never, configuredAt: at };
    spec(tenantSmsDecider)
      .given([])
      .when({ type: 'ConfigureSmsProtection', configured: policy })
      .then([{ type: 'SmsProtectionConfigured', data: policy }]);
  });

  it('starts on the Default provider (no current configuration), version 0', () => {
    expect(fold([])).to.deep.equal({ version: 0 });
  });

  it('a configuration becomes current and counts a version; a failed validation leaves the current one as it was', () => {
    const state = fold([configured, failed]);
    expect(state.current).to.equal(twilio);
    expect(state.version).to.equal(1);
    const again = fold([configured, failed, { type: 'ProviderConfigured', data: { ...twilio, provider: 'Default', settings: {} } }]);
    expect(again).to.deep.include({ version: 2 });
    expect(again.current!.provider).to.equal('Default');
  });

  it('the connection and the protection policy live beside the provider without changing its version', () => {
    const connection = {
      tenantId: 'acme',
      template: 'Your code: @@password@@',
      syntax: 'md_with_macros' as const,
      totp: { time_step: 300, length: 6 },
      brute_force_protection: true,
      disable_signup: false,
      forward_req_info: false,
      enabled_clients: ['web'],
      is_domain_connection: false,
      configuredAt: at,
    };
    const state = fold([configured, { type: 'PasswordlessConnectionConfigured', data: connection }]);
    expect(state).to.deep.include({ version: 1, passwordless: connection, current: twilio });
  });
});
