import type { Decider } from '../decider/decider.js';
import type { ProviderConfiguredData, ProviderValidationFailedData, TenantSmsEvent } from './tenantSmsEvents.js';

export interface TenantSmsState {
  /** The active configuration; none means the Default provider. */
  current?: ProviderConfiguredData;
  /** How many times the provider was configured: names a configuration, e.g. for caching providers. */
  version: number;
}

export type TenantSmsCommand =
  | { type: 'ConfigureProvider'; configured: ProviderConfiguredData }
  | { type: 'RecordValidationFailure'; failure: ProviderValidationFailedData };

/**
 * A tenant's SMS provider settings. Validation (schema, challenge) happens before the command, because it
 * needs I/O; the decider records the outcome. A failed validation leaves `current` as it was.
 */
export const tenantSmsDecider: Decider<TenantSmsState, TenantSmsCommand, TenantSmsEvent> = {
  initialState: () => ({ version: 0 }),

  decide(command) {
    switch (command.type) {
      case 'ConfigureProvider':
        return [{ type: 'ProviderConfigured', data: command.configured }];
      case 'RecordValidationFailure':
        return [{ type: 'ProviderValidationFailed', data: command.failure }];
      default: {
        const never: never = command;
        return never;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ProviderConfigured':
        return { current: event.data, version: state.version + 1 };
      case 'ProviderValidationFailed':
        return state;
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};
