import { setTimeout as sleep } from 'node:timers/promises';
import { SmsProviderError, withDeadline, type SendContext, type SendResult, type SmsProvider } from '@otpledger/plugin-kit';
import type { Clock } from '../clock.js';
import type { EventStore } from '../eventStore/types.js';
import type { Logger } from '../logger.js';
import { BoundedCache } from '../support/boundedCache.js';
import { SampleRing } from '../support/sampleRing.js';
import { waitUntil } from '../support/waitUntil.js';
import { parsePhoneNumber } from '../users/phoneNumber.js';
import { asProviderError } from './asProviderError.js';
import { EgressRefusedError, type EgressGuard } from './egressGuard.js';
import { sanitizedProviderMessage, storedFailureReason } from './failureReason.js';
import type { ProviderServicesFor } from './providerServices.js';
import type { SmsDeliveryEvent } from './smsDeliveryEvents.js';
import type { Dispatch, OutgoingSms, SmsSender, WithheldSms } from './smsSender.js';
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
  providerServices: ProviderServicesFor;
  egress: Pick<EgressGuard, 'settingsProblem'>;
  clock: Clock;
  logger: Logger;
}

type Link = ResolvedProviders['chain'][number];

/**
 * One provider call as it ended, and how long it took: success, or the kit error (the message with the SMS's
 * digits masked).
 */
type AttemptOutcome = { ms: number } & ({ ok: true } | { ok: false; code: SmsProviderError['code']; message: string; httpStatus?: number });

type LinkOutcome = { ok: true; result: SendResult; attempts: number } | { ok: false; error: SmsProviderError; attempts: number };

/** Real attempt outcomes remembered per provider link, for decoys to draw from. */
const OUTCOME_SAMPLES = 64;

/**
 * The `SmsSender` behind OTP delivery: the tenant's provider (Default when none), a deadline on every call,
 * retries with backoff for transient failures only, then the fallbacks in order after `timeout` or
 * `unavailable`. Every outcome is an event in the code's OTP stream. When nothing delivered, the last
 * `SmsProviderError` is thrown, which the HTTP layer answers as 502 `sms_delivery_failed`.
 *
 * A decoy (`withhold`) takes the same path without a send: each provider's `reserve` spends its own limit, and
 * each attempt's duration and outcome are drawn from that provider's recent real attempts, so a provider's
 * round trip, cap or outage answer an identifier that matches no user exactly as they answer a known one.
 */
export class SmsDispatcher implements SmsSender {
  /** Providers by tenant, settings version and position: a new configuration makes new instances. */
  private readonly providers = new BoundedCache<string, SmsProvider>(10_000);
  private readonly outcomes = new BoundedCache<string, SampleRing<AttemptOutcome>>(10_000);

  constructor(
    private readonly deps: Deps,
    private readonly policy: DispatchPolicy = defaultDispatchPolicy,
  ) {}

  send(sms: OutgoingSms): Promise<void> {
    return this.dispatch(sms, (key, link) => this.sendWithRetries(key, link, sms));
  }

  withhold(sms: WithheldSms): Promise<void> {
    return this.dispatch(sms, (key, link) => this.decoyWithRetries(key, link, sms), sms.reason);
  }

  private async dispatch(
    sms: Dispatch & { to?: string; body?: string },
    tryLink: (key: string, link: Link) => Promise<LinkOutcome>,
    withheld?: WithheldSms['reason'],
  ): Promise<void> {
    const { version, chain } = await this.deps.tenantSmsProviders.resolve(sms.tenantId);
    let failure: SmsProviderError | undefined;
    for (const [index, link] of chain.entries()) {
      const outcome = await tryLink(`${sms.tenantId}\0${version}\0${index}`, link);
      const common = this.common(sms, link, index);
      if (withheld) {
        const result = outcome.ok ? 'as_sent' : outcome.error.code;
        await this.record(sms, {
          type: 'SmsWithheld',
          data: { ...common, reason: withheld, outcome: result, attempts: outcome.attempts, at: this.now() },
        });
        if (outcome.ok) return;
        failure = outcome.error;
      } else if (outcome.ok) {
        const { providerMessageId, segments } = outcome.result;
        const sent = {
          ...common,
          ...(providerMessageId && { providerMessageId }),
          ...(segments && { segments }),
          attempt: outcome.attempts,
          bodyLength: sms.body?.length ?? 0,
          sentAt: this.now(),
        };
        await this.record(sms, { type: 'SmsSent', data: sent });
        return;
      } else {
        failure = outcome.error;
        // the event keeps a bounded reason in our words; the provider's own (sanitised) goes to the log only
        await this.record(sms, {
          type: 'SmsDeliveryFailed',
          data: { ...common, code: failure.code, message: storedFailureReason(failure), attempts: outcome.attempts, failedAt: this.now() },
        });
        this.deps.logger.warn(
          {
            tenantId: sms.tenantId,
            provider: link.provider,
            code: failure.code,
            attempts: outcome.attempts,
            reason: sanitizedProviderMessage(failure.message, sms),
          },
          'SMS delivery failed',
        );
      }
      if (!FALLBACK_CODES.has(failure.code)) break;
    }
    throw failure!;
  }

  private async sendWithRetries(key: string, link: Link, sms: OutgoingSms): Promise<LinkOutcome> {
    // a stored configuration is checked again before each send: DNS changes, and so may sms.allowPrivateNetworks
    const refused = await this.deps.egress.settingsProblem(link.settings);
    if (refused)
      return {
        ok: false,
        error: new SmsProviderError('invalid_config', `${link.provider}: ${refused}`, { cause: new EgressRefusedError(refused) }),
        attempts: 0,
      };
    const message = { to: sms.to, body: sms.body, ...(sms.senderId && { senderId: sms.senderId }) };
    return this.withRetries(key, link, sms, async (provider, context) => {
      const started = performance.now();
      try {
        const result = await withDeadline({ timeoutMs: context.timeoutMs + DEADLINE_GRACE_MS }, `SMS provider ${link.provider}`, (signal) =>
          provider.send(message, { ...context, signal }),
        );
        this.samples(key).add({ ms: performance.now() - started, ok: true });
        return result ?? {};
      } catch (thrown) {
        // never store the code: any run of 4+ digits of the SMS text is masked in the message
        const error = asProviderError(thrown, link.provider);
        const masked = new SmsProviderError(error.code, maskDigits(error.message, sms.body), {
          ...(error.httpStatus !== undefined && { httpStatus: error.httpStatus }),
          ...(error.providerCode !== undefined && { providerCode: error.providerCode }),
          cause: error,
        });
        this.samples(key).add({
          ms: performance.now() - started,
          ok: false,
          code: masked.code,
          message: masked.message,
          ...(masked.httpStatus !== undefined && { httpStatus: masked.httpStatus }),
        });
        throw masked;
      }
    });
  }

  private async decoyWithRetries(key: string, link: Link, sms: WithheldSms): Promise<LinkOutcome> {
    // the check a send makes first, and its time (a DNS lookup): a configuration refused at send time refuses a decoy alike
    const refused = await this.deps.egress.settingsProblem(link.settings);
    if (refused)
      return {
        ok: false,
        error: new SmsProviderError('invalid_config', `${link.provider}: ${refused}`, { cause: new EgressRefusedError(refused) }),
        attempts: 0,
      };
    return this.withRetries(key, link, sms, async (provider, context) => {
      const started = performance.now();
      // a limit of the provider's own answers at once, as it does for a send
      await provider.reserve?.(context);
      const drawn = this.samples(key).draw() ?? { ms: 0, ok: true };
      await waitUntil(started + drawn.ms);
      if (!drawn.ok)
        throw new SmsProviderError(drawn.code, drawn.message, drawn.httpStatus === undefined ? {} : { httpStatus: drawn.httpStatus });
      return {};
    });
  }

  /** Calls `attempt` until it succeeds, fails for good, or the retries (transient failures only) are spent. */
  private async withRetries(
    key: string,
    link: Link,
    sms: Dispatch,
    attempt: (provider: SmsProvider, context: SendContext) => Promise<SendResult>,
  ): Promise<LinkOutcome> {
    let provider: SmsProvider;
    try {
      provider = this.provider(key, link);
    } catch (thrown) {
      return { ok: false, error: asProviderError(thrown, link.provider), attempts: 0 };
    }
    const timeoutMs = this.policy.providerTimeoutMs?.[link.provider] ?? link.loaded?.plugin.defaultTimeoutMs ?? this.policy.timeoutMs;
    const maxRetries = sms.delivery?.maxRetries ?? this.policy.maxRetries;
    const context: SendContext = { tenantId: sms.tenantId, timeoutMs, ...(sms.request && { request: endUserRequest(sms.request) }) };
    for (let attempts = 1; ; attempts++) {
      try {
        return { ok: true, result: await attempt(provider, context), attempts };
      } catch (thrown) {
        const error = asProviderError(thrown, link.provider);
        if (!error.transient || attempts > maxRetries) return { ok: false, error, attempts };
        await this.policy.sleep(this.policy.backoffMs(attempts));
      }
    }
  }

  private samples(key: string): SampleRing<AttemptOutcome> {
    return this.outcomes.getOrCompute(key, () => new SampleRing(OUTCOME_SAMPLES));
  }

  private provider(cacheKey: string, link: Link): SmsProvider {
    const loaded = link.loaded;
    if (!loaded) throw new SmsProviderError('unavailable', `SMS provider ${link.provider} is not loaded on this server`);
    return this.providers.getOrCompute(cacheKey, () => loaded.plugin.create(link.settings, this.deps.providerServices(loaded)));
  }

  private common(sms: Dispatch & { to?: string }, link: Link, fallbackIndex: number) {
    let countryCallingCode: string | undefined;
    try {
      countryCallingCode = sms.to === undefined ? undefined : parsePhoneNumber(sms.to).countryCallingCode;
    } catch {
      countryCallingCode = undefined;
    }
    return {
      tenantId: sms.tenantId,
      ...(sms.clientId && { clientId: sms.clientId }),
      otpId: sms.otp.otpId,
      provider: link.provider,
      fallbackIndex,
      ...(countryCallingCode && { countryCallingCode }),
    };
  }

  private async record(sms: Dispatch, event: SmsDeliveryEvent): Promise<void> {
    // an outcome log decides nothing, so it appends without an expected revision (no read, no conflict)
    await this.deps.eventStore.appendToStream(sms.otp.stream, [{ type: event.type, data: event.data, metadata: sms.metadata ?? {} }], {
      expectedRevision: 'any',
    });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** What a provider may learn of the request (the kit's `SendContext.request`). */
function endUserRequest({ ip, userAgent }: NonNullable<Dispatch['request']>) {
  return { ip, ...(userAgent && { userAgent }) };
}

/** Any run of 4+ digits that appears in the SMS text, masked in a provider's message. */
function maskDigits(message: string, body: string): string {
  let masked = message;
  for (const digits of body.match(/\d{4,}/g) ?? []) masked = masked.replaceAll(digits, '****');
  return masked;
}
