import { setTimeout as sleep } from 'node:timers/promises';
import { SmsProviderError, withDeadline, type ProviderServices, type SmsProvider } from '@otpledger/plugin-kit';
import type { Clock } from '../clock.js';
import type { EventStore } from '../eventStore/types.js';
import type { Logger } from '../logger.js';
import { BoundedCache } from '../support/boundedCache.js';
import { parsePhoneNumber } from '../users/phoneNumber.js';
import { asProviderError } from './asProviderError.js';
import { smsDeliveryStreamId, type SmsDeliveryEvent } from './smsDeliveryEvents.js';
import type { OutgoingSms, SmsSender } from './smsSender.js';
import { DEFAULT_TIMEOUT_MS, type ResolvedProviders, type TenantSmsProviders } from './tenantSmsProviders.js';

/** Failures after which the next provider in the tenant's fallback list is tried. */
const FALLBACK_CODES = new Set(['timeout', 'unavailable']);

export interface DispatchPolicy {
  /** Retries per provider, only for transient failures (`timeout`, `unavailable`, `rate_limited`). */
  maxRetries: number;
  /** Waited before retry `n` (1-based). */
  backoffMs(retry: number): number;
  sleep(ms: number): Promise<void>;
  /** Per-call timeout when the plugin declares none. */
  timeoutMs: number;
  /** Per-call timeouts by provider name, over what the plugin declares (operators; tests that cannot wait 30 s). */
  providerTimeoutMs?: Readonly<Record<string, number>>;
}

/**
 * The dispatcher's own deadline runs this much longer than the provider's: a provider that honours its
 * timeout fails in its own words (Auth0's "Timeout while calling the SMS gateway: ETIMEDOUT"); the deadline
 * only catches one that does not.
 */
const DEADLINE_GRACE_MS = 250;

export const defaultDispatchPolicy: DispatchPolicy = {
  maxRetries: 2,
  backoffMs: (retry) => 200 * 2 ** (retry - 1) + Math.floor(Math.random() * 100),
  sleep: (ms) => sleep(ms),
  timeoutMs: DEFAULT_TIMEOUT_MS,
};

interface Deps {
  eventStore: EventStore;
  tenantSmsProviders: TenantSmsProviders;
  providerServices: ProviderServices;
  clock: Clock;
  logger: Logger;
}

type Link = ResolvedProviders['chain'][number];

/**
 * The `SmsSender` behind OTP delivery: the tenant's provider (Default when none), a deadline on every call,
 * retries with backoff for transient failures only, then the fallbacks in order after `timeout` or
 * `unavailable`. Every outcome is an event in `smsdelivery-<tenantId>`. When nothing delivered, the last
 * `SmsProviderError` is thrown, which the HTTP layer answers as 502 `sms_delivery_failed`.
 */
export class SmsDispatcher implements SmsSender {
  /** Providers by tenant, settings version and position: a new configuration makes new instances. */
  private readonly providers = new BoundedCache<string, SmsProvider>(10_000);

  constructor(private readonly deps: Deps, private readonly policy: DispatchPolicy = defaultDispatchPolicy) {}

  async send(sms: OutgoingSms): Promise<void> {
    const { version, chain } = await this.deps.tenantSmsProviders.resolve(sms.tenantId);
    let failure: SmsProviderError | undefined;
    for (const [index, link] of chain.entries()) {
      const outcome = await this.sendWithRetries(`${sms.tenantId}\0${version}\0${index}`, link, sms);
      if (outcome.ok) {
        const { providerMessageId, segments } = outcome.result;
        await this.record(sms, { type: 'SmsSent', data: { ...this.common(sms, link, index), ...(providerMessageId && { providerMessageId }), ...(segments && { segments }), attempt: outcome.attempts, bodyLength: sms.body.length, sentAt: this.now() } });
        return;
      }
      failure = outcome.error;
      const message = maskDigits(failure.message, sms.body);
      await this.record(sms, { type: 'SmsDeliveryFailed', data: { ...this.common(sms, link, index), code: failure.code, message, attempts: outcome.attempts, failedAt: this.now() } });
      this.deps.logger.warn({ tenantId: sms.tenantId, provider: link.provider, code: failure.code, attempts: outcome.attempts, reason: message }, 'SMS delivery failed');
      if (!FALLBACK_CODES.has(failure.code)) break;
    }
    throw failure!;
  }

  private async sendWithRetries(cacheKey: string, link: Link, sms: OutgoingSms) {
    let provider: SmsProvider;
    try {
      provider = this.provider(cacheKey, link);
    } catch (thrown) {
      return { ok: false as const, error: asProviderError(thrown, link.provider), attempts: 0 };
    }
    const timeoutMs = this.policy.providerTimeoutMs?.[link.provider] ?? link.loaded?.plugin.defaultTimeoutMs ?? this.policy.timeoutMs;
    const maxRetries = sms.delivery?.maxRetries ?? this.policy.maxRetries;
    const message = { to: sms.to, body: sms.body, ...(sms.senderId && { senderId: sms.senderId }) };
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await withDeadline({ timeoutMs: timeoutMs + DEADLINE_GRACE_MS }, `SMS provider ${link.provider}`, (signal) =>
          provider.send(message, { tenantId: sms.tenantId, timeoutMs, signal, ...(sms.request && { request: endUserRequest(sms.request) }) }),
        );
        return { ok: true as const, result: result ?? {}, attempts: attempt };
      } catch (thrown) {
        const error = asProviderError(thrown, link.provider);
        if (!error.transient || attempt > maxRetries) return { ok: false as const, error, attempts: attempt };
        await this.policy.sleep(this.policy.backoffMs(attempt));
      }
    }
  }

  private provider(cacheKey: string, link: Link): SmsProvider {
    const loaded = link.loaded;
    if (!loaded) throw new SmsProviderError('unavailable', `SMS provider ${link.provider} is not loaded on this server`);
    return this.providers.getOrCompute(cacheKey, () => loaded.plugin.create(link.settings, this.deps.providerServices));
  }

  private common(sms: OutgoingSms, link: Link, fallbackIndex: number) {
    let countryCallingCode: string | undefined;
    try {
      countryCallingCode = parsePhoneNumber(sms.to).countryCallingCode;
    } catch {
      countryCallingCode = undefined;
    }
    return { tenantId: sms.tenantId, ...(sms.clientId && { clientId: sms.clientId }), provider: link.provider, fallbackIndex, to: sms.to, ...(countryCallingCode && { countryCallingCode }) };
  }

  private async record(sms: OutgoingSms, event: SmsDeliveryEvent): Promise<void> {
    // an outcome log decides nothing, so it appends without an expected revision (no read, no conflict)
    await this.deps.eventStore.appendToStream(smsDeliveryStreamId(sms.tenantId), [{ type: event.type, data: event.data, metadata: sms.metadata ?? {} }], { expectedRevision: 'any' });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** What a provider may learn of the request (the kit's `SendContext.request`). */
function endUserRequest({ ip, userAgent }: NonNullable<OutgoingSms['request']>) {
  return { ip, ...(userAgent && { userAgent }) };
}

/** Never store the code: any run of 4+ digits that appears in the SMS text is masked in the message. */
function maskDigits(message: string, body: string): string {
  let masked = message;
  for (const digits of body.match(/\d{4,}/g) ?? []) masked = masked.replaceAll(digits, '****');
  return masked;
}
