import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import { tenantSmsDecider } from '../sms/tenantSmsDecider.js';
import { tenantSmsStreamId } from '../sms/tenantSmsEvents.js';
import { parseSmsProtectionPolicy, type SmsProtectionPolicy } from './smsProtectionPolicy.js';

/**
 * Each tenant's SMS protection policy, recorded as `SmsProtectionConfigured` in the tenant's SMS stream
 * (`tenantsms-<tenant>`, beside its providers): read strongly consistent, so a change applies to the very next
 * send, and part of time travel.
 */
export class SmsProtectionPolicies {
  /** The deployment's defaults (`sms.protectionDefaults` over otpledger's): checked once, at start. */
  readonly defaults: SmsProtectionPolicy;

  constructor(
    private readonly deps: { eventStore: EventStore; clock: Clock; config: { sms: { protectionDefaults: Record<string, unknown> } } },
  ) {
    // checked when the config was loaded (`loadConfig`)
    this.defaults = parseSmsProtectionPolicy(deps.config.sms.protectionDefaults);
  }

  async policy(tenantId: string): Promise<SmsProtectionPolicy> {
    const state = await loadState(this.deps.eventStore, tenantSmsStreamId(tenantId), tenantSmsDecider);
    return state.protection?.policy ?? this.defaults;
  }

  /** Replaces the whole policy (`{}`: the defaults). A policy equal to the one in force records nothing. */
  async configure(tenantId: string, body: unknown, metadata: Partial<EventMetadata>): Promise<SmsProtectionPolicy> {
    const policy = parseSmsProtectionPolicy(body, this.defaults);
    if (isDeepStrictEqual(policy, await this.policy(tenantId))) return policy;
    const configured = { tenantId, policy, configuredAt: this.deps.clock.now().toISOString() };
    await handleCommand(
      this.deps.eventStore,
      tenantSmsStreamId(tenantId),
      tenantSmsDecider,
      { type: 'ConfigureSmsProtection', configured },
      metadata,
    );
    return policy;
  }
}
