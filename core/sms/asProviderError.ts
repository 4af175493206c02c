import { SmsProviderError } from '@otpledger/plugin-kit';

/**
 * Whatever a provider threw, as a kit error. A plugin that throws something else has a bug; that is
 * reported as `unavailable` (so a fallback may still deliver) without echoing the foreign message, which
 * might hold a secret.
 */
export function asProviderError(thrown: unknown, provider: string): SmsProviderError {
  if (thrown instanceof SmsProviderError) return thrown;
  return new SmsProviderError('unavailable', `provider ${provider} failed unexpectedly (${(thrown as Error)?.name ?? typeof thrown})`, {
    cause: thrown,
  });
}
