import type { Secrets } from '../config/secrets.js';
import type { Clock } from '../clock.js';
import { SecretBox } from '../crypto/secretBox.js';
import type { Logger } from '../logger.js';
import { BoundedCache } from '../support/boundedCache.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import { DomainError } from '../decider/decider.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import { SchemaValidationError } from '../validation/schemaValidationError.js';
import { headerValueText, messageText, oneLineText } from '../validation/textFields.js';
import { asProviderError } from './asProviderError.js';
import type { EgressGuard } from './egressGuard.js';
import { sanitizedProviderMessage, storedFailureReason } from './failureReason.js';
import type { LoadedPlugin, SmsPluginRegistry } from './pluginRegistry.js';
import { ProviderSecrets } from './providerSecrets.js';
import type { ProviderServicesFor } from './providerServices.js';
import { tenantSmsDecider } from './tenantSmsDecider.js';
import { DEFAULT_PROVIDER, tenantSmsStreamId, type StoredProviderSettings } from './tenantSmsEvents.js';

/** A provider and its plain settings, already checked against the plugin's schema. */
export interface ProviderChoice {
  provider: string;
  settings: Record<string, unknown>;
}

/** A tenant's providers, ready to send: the primary first, then the fallbacks. */
export interface ResolvedProviders {
  /** 0 while the tenant has never configured one (the Default provider). */
  version: number;
  chain: { loaded: LoadedPlugin | undefined; provider: string; settings: Record<string, unknown> }[];
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export class ProviderValidationError extends DomainError {
  constructor(message: string) {
    super('provider_validation_failed', message);
  }
}

interface Deps {
  eventStore: EventStore;
  smsPlugins: SmsPluginRegistry;
  secrets: Pick<Secrets, 'masterKey' | 'masterKeyId' | 'previousMasterKeys'>;
  clock: Clock;
  providerServices: ProviderServicesFor;
  egress: Pick<EgressGuard, 'settingsProblem'>;
  logger: Logger;
}

/**
 * A tenant's SMS provider settings (`tenantsms-<tenantId>`): configured only after each provider's own
 * `validate()` passed (a failure is recorded and the old settings stay), secrets sealed in the events,
 * read back strongly consistent from the stream.
 */
export class TenantSmsProviders {
  private readonly secretBox: ProviderSecrets;
  /** Resolved chains by tenant and configuration version (a new configuration is a new key). */
  private readonly resolved = new BoundedCache<string, ResolvedProviders>(10_000);

  constructor(private readonly deps: Deps) {
    this.secretBox = new ProviderSecrets(
      new SecretBox({ id: deps.secrets.masterKeyId, key: deps.secrets.masterKey }, deps.secrets.previousMasterKeys),
    );
  }

  async configure(tenantId: string, primary: ProviderChoice, fallback: ProviderChoice[], metadata: Partial<EventMetadata>): Promise<void> {
    const { eventStore, clock } = this.deps;
    const stream = tenantSmsStreamId(tenantId);
    for (const choice of [primary, ...fallback]) {
      const loaded = this.plugin(choice.provider);
      const { plugin } = loaded;
      // the SSRF guard: every URL in the settings resolves, to addresses the server may reach
      const problem = await this.deps.egress.settingsProblem(choice.settings);
      if (problem) throw new ProviderValidationError(`${choice.provider}: ${problem}`);
      const provider = plugin.create(choice.settings, this.deps.providerServices(loaded));
      try {
        await provider.validate?.({ tenantId, timeoutMs: plugin.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS });
      } catch (thrown) {
        const error = asProviderError(thrown, choice.provider);
        const failure = {
          tenantId,
          provider: choice.provider,
          code: error.code,
          message: storedFailureReason(error),
          failedAt: clock.now().toISOString(),
        };
        await handleCommand(eventStore, stream, tenantSmsDecider, { type: 'RecordValidationFailure', failure }, metadata);
        // the administrator configuring it learns the provider's words (bounded); the event keeps only ours
        throw new ProviderValidationError(
          `${choice.provider} failed validation (${error.code}): ${sanitizedProviderMessage(error.message)}; the previous SMS provider stays active`,
        );
      }
    }
    const seal = (choice: ProviderChoice): StoredProviderSettings => ({
      provider: choice.provider,
      settings: this.secretBox.seal(tenantId, choice.provider, this.plugin(choice.provider).plugin.secretFields, choice.settings),
    });
    const configured = { tenantId, ...seal(primary), fallback: fallback.map(seal), configuredAt: clock.now().toISOString() };
    await handleCommand(eventStore, stream, tenantSmsDecider, { type: 'ConfigureProvider', configured }, metadata);
  }

  /**
   * The providers to send with, secrets opened. Reads the stream: a change is seen by the very next send.
   * Opening and checking the settings happens once per configuration (`version` names one), not per SMS.
   */
  async resolve(tenantId: string): Promise<ResolvedProviders> {
    const { current, version } = await loadState(this.deps.eventStore, tenantSmsStreamId(tenantId), tenantSmsDecider);
    return this.resolved.getOrCompute(`${tenantId}\0${version}`, () => {
      const stored = current ? [current, ...current.fallback] : [{ provider: DEFAULT_PROVIDER, settings: {} }];
      return {
        version,
        chain: stored.map(({ provider, settings }) => {
          const loaded = this.deps.smsPlugins.get(provider);
          const plain = loaded ? this.secretBox.open(tenantId, provider, loaded.plugin.secretFields, settings) : settings;
          return { loaded, provider, settings: loaded ? this.checked(tenantId, loaded, plain) : plain };
        }),
      };
    });
  }

  /**
   * Stored settings checked against the plugin's schema as it is now. Settings that only a tightened text rule
   * refuses (a control character a sender may no longer hold, `core/validation/textFields.ts`) are sent with as
   * stored, with a warning naming the fields and rules, never a value (those rules' messages hold none): a
   * tightened rule must not stop a tenant's SMS. Any other problem (a field a plugin upgrade made required) is
   * thrown as before. The next PUT or PATCH is checked in full.
   */
  private checked(tenantId: string, loaded: LoadedPlugin, plain: Record<string, unknown>): Record<string, unknown> {
    try {
      return loaded.parseConfig(plain) as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof SchemaValidationError) || !error.problems.every(isTextRuleProblem)) throw error;
      this.deps.logger.warn(
        { tenantId, provider: loaded.plugin.name, problems: error.problems },
        'stored SMS provider settings no longer pass the plugin schema; sending with them as stored: configure them again',
      );
      return plain;
    }
  }

  /** What GET shows: settings with every secret masked. */
  async describe(tenantId: string): Promise<{ version: number; chain: ProviderChoice[] }> {
    const { version, chain } = await this.resolve(tenantId);
    return {
      version,
      chain: chain.map(({ loaded, provider, settings }) => ({
        provider,
        settings: ProviderSecrets.mask(loaded?.plugin.secretFields ?? [], settings),
      })),
    };
  }

  plugin(name: string): LoadedPlugin {
    const loaded = this.deps.smsPlugins.get(name);
    if (!loaded) {
      const known = this.deps.smsPlugins
        .list()
        .map(({ plugin }) => plugin.name)
        .join(', ');
      throw new DomainError('unknown_provider', `unknown SMS provider "${name}"; this server has: ${known}`);
    }
    return loaded;
  }
}

const textRuleMessages = [messageText, oneLineText, headerValueText].map((piece) => ` ${piece.errorMessage.pattern}`);

/** `/from must not contain control characters`: a text piece's own words after a JSON path, no value in it. */
function isTextRuleProblem(problem: string): boolean {
  return (
    problem.startsWith('/') &&
    textRuleMessages.some((message) => problem.endsWith(message) && !problem.slice(0, -message.length).includes(' '))
  );
}
