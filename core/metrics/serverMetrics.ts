import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How many not-yet-applied events the lag gauge counts at most per projection, so a scrape stays cheap. */
export const projectionLagCap = 10_000;

/** Per projection, how many events of the types it handles are in the store after its checkpoint. */
export type ProjectionLagSource = () => Promise<Record<string, number>>;

/**
 * The server's Prometheus metrics, in a registry of its own (several servers in one process, as in the tests,
 * never share counters). Labels carry tenant ids and bounded names (route patterns, provider names, kit codes,
 * reasons) and nothing else: never a phone number, an IP address, a code or a user id.
 * Domain counters are fed in one place, from the events this process appends (`countAppendedEvents`).
 */
export class ServerMetrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'otpledger_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, from the first byte read to the response',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly eventStoreAppendDuration = new Histogram({
    name: 'otpledger_event_store_append_duration_seconds',
    help: 'Appends to the event store (durable commit included), by outcome: ok, conflict (expected revision) or error',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly otpIssued = this.counter('otpledger_otp_issued_total', 'One-time codes issued (OtpIssued)', ['tenant']);
  readonly otpVerified = this.counter('otpledger_otp_verified_total', 'Codes verified (OtpVerified)', ['tenant']);
  readonly otpFailed = this.counter(
    'otpledger_otp_failed_total',
    'Failed verifications by reason: mismatch, expired, no_active_code (OtpFailed)',
    ['tenant', 'reason'],
  );
  readonly otpUnknownIdentifier = this.counter(
    'otpledger_otp_unknown_identifier_total',
    'Codes asked for an identifier that matches no user, answered like any other (OtpRequestedForUnknownIdentifier)',
    ['tenant'],
  );
  readonly lockouts = this.counter('otpledger_lockouts_total', 'Phones locked out after too many wrong codes (UserLockedOut)', ['tenant']);
  readonly smsSent = this.counter('otpledger_sms_sent_total', 'SMS accepted by a provider (SmsSent)', ['tenant', 'provider']);
  readonly smsFailed = this.counter(
    'otpledger_sms_failed_total',
    'SMS dispatches that failed, by provider and kit code (SmsDeliveryFailed)',
    ['tenant', 'provider', 'code'],
  );
  readonly smsRefused = this.counter(
    'otpledger_sms_refused_total',
    'SMS sends refused by the SMS protection policy, by reason (SmsSendRefused)',
    ['tenant', 'reason'],
  );
  readonly smsWithheld = this.counter(
    'otpledger_sms_withheld_total',
    'SMS dispatched in every respect but the send (decoys for unknown identifiers, held-back sends), by reason (SmsWithheld)',
    ['tenant', 'reason'],
  );

  constructor(projectionLag?: ProjectionLagSource) {
    collectDefaultMetrics({ register: this.registry, prefix: '' });
    if (projectionLag) {
      new Gauge({
        name: 'otpledger_projection_lag_events',
        help: `Events of the types a projection handles that it has not applied yet (counted up to ${projectionLagCap})`,
        labelNames: ['projection'] as const,
        registers: [this.registry],
        async collect() {
          for (const [projection, lag] of Object.entries(await projectionLag())) this.set({ projection }, lag);
        },
      });
    }
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private counter<Label extends string>(name: string, help: string, labelNames: readonly Label[]): Counter<Label> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
