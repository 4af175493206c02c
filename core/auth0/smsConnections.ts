import { isDeepStrictEqual } from 'node:util';
import type { ApplicationRegistry } from '../applications/applicationRegistry.js';
import type { Clock } from '../clock.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import { tenantSmsDecider } from '../sms/tenantSmsDecider.js';
import { tenantSmsStreamId } from '../sms/tenantSmsEvents.js';
import type { ProviderChoice, TenantSmsProviders } from '../sms/tenantSmsProviders.js';
import { SchemaValidationError } from '../validation/schemaValidationError.js';
import type { SmsConnectionPatch } from './connectionOptions.js';
import { optionNameForTwilioSetting, optionsFromProvider, providerFromOptions, SMS_GATEWAY, TWILIO } from './connectionProvider.js';
import { connectionIdFor, connectionSettings, DEFAULT_CONNECTION, type ConnectionSettings } from './smsConnection.js';

interface Deps {
  eventStore: EventStore;
  tenantSmsProviders: TenantSmsProviders;
  applications: Pick<ApplicationRegistry, 'get'>;
  clock: Clock;
}

/**
 * A tenant's Auth0-style passwordless `sms` connection over the tenant's SMS stream (`tenantsms-<tenant>`): the
 * provider is the one the Mosaic API sets (`ProviderConfigured`), the rest is `PasswordlessConnectionConfigured`.
 * Either API therefore reads what the other wrote.
 */
export class SmsConnections {
  constructor(private readonly deps: Deps) {}

  id(tenantId: string): string {
    return connectionIdFor(tenantId);
  }

  /** The connection's options in force (defaults until someone sets them). */
  async settings(tenantId: string): Promise<ConnectionSettings> {
    const state = await loadState(this.deps.eventStore, tenantSmsStreamId(tenantId), tenantSmsDecider);
    return connectionSettings(state.passwordless);
  }

  /** The connection as Auth0's Management API shows it, secrets masked. */
  async describe(tenantId: string): Promise<Record<string, unknown>> {
    const settings = await this.settings(tenantId);
    const [primary] = (await this.deps.tenantSmsProviders.describe(tenantId)).chain;
    const forward = primary?.provider === SMS_GATEWAY ? primary.settings.forward_req_info === true : settings.forward_req_info;
    const provider = primary ? optionsFromProvider(primary) : {};
    return {
      id: this.id(tenantId),
      options: {
        ...provider,
        from: provider.from ?? null,
        template: settings.template,
        syntax: settings.syntax,
        totp: settings.totp,
        brute_force_protection: settings.brute_force_protection,
        disable_signup: settings.disable_signup,
        forward_req_info: forward,
        name: 'sms',
      },
      strategy: 'sms',
      name: 'sms',
      is_domain_connection: settings.is_domain_connection,
      realms: ['sms'],
      enabled_clients: settings.enabled_clients,
    };
  }

  /**
   * Auth0's PATCH: `options`, when given, replace the connection's options as a whole (omitted ones fall back
   * to the defaults), except the provider, which only changes when the options name one.
   */
  async update(tenantId: string, patch: SmsConnectionPatch, metadata: Partial<EventMetadata>): Promise<void> {
    await this.checkClients(tenantId, patch.enabled_clients ?? []);
    const current = await this.settings(tenantId);
    const options = patch.options;
    if (options) await this.updateProvider(tenantId, providerFromOptions(options, await this.primary(tenantId)), metadata);
    const next: ConnectionSettings = {
      ...(options
        ? {
            template: options.template ?? DEFAULT_CONNECTION.template,
            syntax: options.syntax ?? DEFAULT_CONNECTION.syntax,
            totp: { ...DEFAULT_CONNECTION.totp, ...options.totp },
            brute_force_protection: options.brute_force_protection ?? DEFAULT_CONNECTION.brute_force_protection,
            disable_signup: options.disable_signup ?? DEFAULT_CONNECTION.disable_signup,
            forward_req_info: options.forward_req_info ?? DEFAULT_CONNECTION.forward_req_info,
          }
        : current),
      enabled_clients: patch.enabled_clients ?? current.enabled_clients,
      is_domain_connection: patch.is_domain_connection ?? current.is_domain_connection,
    };
    if (isDeepStrictEqual(next, current)) return;
    const connection = { tenantId, ...next, configuredAt: this.deps.clock.now().toISOString() };
    await handleCommand(
      this.deps.eventStore,
      tenantSmsStreamId(tenantId),
      tenantSmsDecider,
      { type: 'ConfigurePasswordlessConnection', connection },
      metadata,
    );
  }

  /** Configures the provider through the Mosaic service (its validation, sealing and event) when it changed; fallbacks stay. */
  private async updateProvider(tenantId: string, wanted: ProviderChoice | undefined, metadata: Partial<EventMetadata>): Promise<void> {
    if (!wanted) return;
    const providers = this.deps.tenantSmsProviders;
    const settings = parseSettings(wanted.provider, () => providers.plugin(wanted.provider).parseConfig(wanted.settings));
    const { chain } = await providers.resolve(tenantId);
    const [primary, ...fallback] = chain;
    if (primary?.provider === wanted.provider && isDeepStrictEqual(primary.settings, settings)) return;
    const keep = fallback.map(({ provider, settings: plain }) => ({ provider, settings: plain }));
    await providers.configure(tenantId, { provider: wanted.provider, settings }, keep, metadata);
  }

  private async primary(tenantId: string): Promise<ProviderChoice | undefined> {
    const [primary] = (await this.deps.tenantSmsProviders.resolve(tenantId)).chain;
    return primary && { provider: primary.provider, settings: primary.settings };
  }

  private async checkClients(tenantId: string, clientIds: string[]): Promise<void> {
    for (const [index, clientId] of clientIds.entries()) {
      const app = await this.deps.applications.get(clientId);
      if (app?.tenantId !== tenantId)
        throw new SchemaValidationError([`/enabled_clients/${index} "${clientId}" is not an application of this tenant`]);
    }
  }
}

/** The plugin's schema check, its problems named by the connection's option names (`/options/twilio_sid ...`). */
function parseSettings(provider: string, parse: () => unknown): Record<string, unknown> {
  try {
    return parse() as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) throw error;
    throw new SchemaValidationError(
      error.problems.map((problem) => {
        if (provider === TWILIO && problem.includes('oneOf')) return '/options needs exactly one of from and messaging_service_sid';
        const [path = '/', ...rest] = problem.split(' ');
        const field =
          path === '/'
            ? ''
            : `/${path
                .slice(1)
                .split('/')
                .map(provider === TWILIO ? optionNameForTwilioSetting : (name) => name)
                .join('/')}`;
        return [`/options${field}`, ...rest].join(' ');
      }),
    );
  }
}
