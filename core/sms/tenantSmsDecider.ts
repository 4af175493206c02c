import type { Decider } from '../decider/decider.js';
import type {
  PasswordlessConnectionConfiguredData,
  ProviderConfiguredData,
  ProviderValidationFailedData,
  SmsProtectionConfiguredData,
  TenantSmsEvent,
} from './tenantSmsEvents.js';

export interface TenantSmsState {
  /** The active configuration; none means the Default provider. */
  current?: ProviderConfiguredData;
  /** How many times the provider was configured: names a configuration, e.g. for caching providers. */
  version: number;
  /** The Auth0-style passwordless connection's options; none until first configured (defaults apply). */
  passwordless?: PasswordlessConnectionConfiguredData;
  /** The SMS protection policy; none until first configured (the defaults apply). */
  protection?: SmsProtectionConfiguredData;
}

export type TenantSmsCommand =
  | { type: 'ConfigureProvider'; configured: ProviderConfiguredData }
  | { type: 'RecordValidationFailure'; failure: ProviderValidationFailedData }
  | { type: 'ConfigurePasswordlessConnection'; connection: PasswordlessConnectionConfiguredData }
  | { type: 'ConfigureSmsProtection'; configured: SmsProtectionConfiguredData };

/**
 * A tenant's SMS settings: its providers, its Auth0-style connection and its SMS protection policy. Validation
 * (schema, challenge) happens before the command, because it needs I/O; the decider records the outcome. A failed
 * validation leaves `current` as it was.
 */
export const tenantSmsDecider: Decider<TenantSmsState, TenantSmsCommand, TenantSmsEvent> = {
  initialState: () => ({ version: 0 }),

  decide(command) {
    switch (command.type) {
      case 'ConfigureProvider':
        return [{ type: 'ProviderConfigured', data: command.configured }];
      case 'RecordValidationFailure':
        return [{ type: 'ProviderValidationFailed', data: command.failure }];
      case 'ConfigurePasswordlessConnection':
        return [{ type: 'PasswordlessConnectionConfigured', data: command.connection }];
      case 'ConfigureSmsProtection':
        return [{ type: 'SmsProtectionConfigured', data: command.configured }];
      default: {
        const never: never = command;
        return never;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ProviderConfigured':
        return { ...state, current: event.data, version: state.version + 1 };
      case 'ProviderValidationFailed':
        return state;
      case 'PasswordlessConnectionConfigured':
        return { ...state, passwordless: event.data };
      case 'SmsProtectionConfigured':
        return { ...state, protection: event.data };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};
