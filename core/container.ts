import { asFunction, asValue, createContainer, InjectionMode, type AwilixContainer, type Resolver } from 'awilix';
import { systemClock } from './clock.js';
import type { Config } from './config/configSchema.js';
import { loadSecrets } from './config/secrets.js';
import type { Cradle } from './cradle.js';
import { createEventStore } from './eventStore/createEventStore.js';
import { createApp } from './http/app.js';
import { randomIds } from './ids.js';
import { createLogger } from './logger.js';
import { meteredEventStore } from './metrics/meteredEventStore.js';
import { projectionLag } from './metrics/projectionLag.js';
import { ServerMetrics } from './metrics/serverMetrics.js';
import { ApplicationRegistry } from './applications/applicationRegistry.js';
import { PasswordlessLogin } from './auth0/passwordlessLogin.js';
import { SmsConnections } from './auth0/smsConnections.js';
import { UserBlocks } from './auth0/userBlocks.js';
import { AuthorizationCodes } from './oidc/authorizationCodes.js';
import { TokenIntrospection } from './oidc/tokenIntrospection.js';
import { TokenService } from './oidc/tokenService.js';
import { OtpService } from './otp/otpService.js';
import { SmsProtectionPolicies } from './protection/smsProtectionPolicies.js';
import { SmsScreening } from './protection/smsScreening.js';
import { DevOutbox } from './sms/devOutbox.js';
import { EgressGuard } from './sms/egressGuard.js';
import { loadSmsPlugins } from './sms/pluginLoader.js';
import { providerServices } from './sms/providerServices.js';
import { defaultDispatchPolicy, SmsDispatcher } from './sms/smsDispatcher.js';
import { TenantSmsProviders } from './sms/tenantSmsProviders.js';
import { UserDirectory } from './users/userDirectory.js';
import { Verifications } from './twilioVerify/verifications.js';
import { VerifyServices } from './twilioVerify/verifyServices.js';
import { createKeyStore } from './privacy/createKeyStore.js';
import { PersonalDataSealer } from './privacy/personalDataSealer.js';
import { DataSubjectRequests } from './privacy/dataSubjectRequests.js';
import { SealingEventStore } from './privacy/sealingEventStore.js';
import { SubjectKeys } from './privacy/subjectKeys.js';
import { allProjections } from '../projections/index.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { ReadModelStore } from '../projections/readModelStore.js';

/** Replacements for any registration, e.g. `{ clock: asValue(fixedClock) }` in a test. */
export type Overrides = { [Name in keyof Cradle]?: Resolver<Cradle[Name]> };

/**
 * The composition root. PROXY injection throughout: every factory receives the cradle and destructures
 * what it needs, so a dependency is visible at the top of the function that uses it.
 * Async because secrets may need generating; everything else resolves lazily, once (singletons).
 */
export async function buildContainer(config: Config, overrides: Overrides = {}): Promise<AwilixContainer<Cradle>> {
  const container = createContainer<Cradle>({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register({
    config: asValue(config),
    logger: asFunction(({ config }: Cradle) => createLogger(config)).singleton(),
    clock: asValue(systemClock),
    ids: asValue(randomIds),
    // read lazily at scrape time, so the metrics never hold the stores open or resolve them early
    metrics: asFunction((cradle: Cradle) =>
      cradle.config.metrics.enabled ? new ServerMetrics(() => projectionLag({ ...cradle, eventStore: cradle.storedEvents })) : undefined,
    ).singleton(),
    // the adapter itself is metered: appends are timed with their durable commit, and counted as stored
    storedEvents: asFunction(({ config, clock, metrics }: Cradle) => {
      const store = createEventStore(config.eventStore.url, { now: () => clock.now() });
      return metrics ? meteredEventStore(store, metrics) : store;
    })
      .singleton()
      .disposer((store) => store.close()),
    keyStore: asFunction(({ config, logger }: Cradle) => createKeyStore(config.keyStore.url, { warn: (message) => logger.warn(message) }))
      .singleton()
      .disposer((store) => store.close()),
    subjectKeys: asFunction(({ keyStore, secrets, clock }: Cradle) => new SubjectKeys(keyStore, secrets, clock)).singleton(),
    personalData: asFunction(({ subjectKeys, secrets }: Cradle) => new PersonalDataSealer(subjectKeys, secrets.hmacKey)).singleton(),
    // the domain's view: personal fields sealed on the way in, opened on the way out
    eventStore: asFunction(({ storedEvents, personalData }: Cradle) => new SealingEventStore(storedEvents, personalData)).singleton(),
    dataSubjectRequests: asFunction((cradle: Cradle) => new DataSubjectRequests(cradle)).singleton(),
    issuer: asValue(config.oidc.issuer ?? `http://${config.server.host}:${config.server.port}`),
    app: asFunction((cradle: Cradle) => createApp(cradle)).singleton(),

    applications: asFunction((cradle: Cradle) => new ApplicationRegistry(cradle)).singleton(),
    users: asFunction((cradle: Cradle) => new UserDirectory(cradle)).singleton(),
    otpService: asFunction((cradle: Cradle) => new OtpService(cradle)).singleton(),
    devOutbox: asFunction(({ config, clock }: Cradle) => new DevOutbox({ dataDir: config.dataDir, clock, enabled: config.dev.outbox }))
      .singleton()
      .disposer((outbox) => outbox.close()),
    egress: asFunction(({ config }: Cradle) => new EgressGuard({ allowPrivateNetworks: config.sms.allowPrivateNetworks }))
      .singleton()
      .disposer((guard) => guard.close()),
    providerServices: asFunction((cradle: Cradle) => providerServices(cradle)).singleton(),
    tenantSmsProviders: asFunction((cradle: Cradle) => new TenantSmsProviders(cradle)).singleton(),
    smsDispatchPolicy: asValue(defaultDispatchPolicy),
    smsSender: asFunction((cradle: Cradle) => new SmsDispatcher(cradle, cradle.smsDispatchPolicy)).singleton(),
    tokens: asFunction((cradle: Cradle) => new TokenService(cradle)).singleton(),
    tokenIntrospection: asFunction((cradle: Cradle) => new TokenIntrospection(cradle)).singleton(),
    authorizationCodes: asFunction((cradle: Cradle) => new AuthorizationCodes(cradle)).singleton(),
    smsConnections: asFunction((cradle: Cradle) => new SmsConnections(cradle)).singleton(),
    passwordlessLogin: asFunction((cradle: Cradle) => new PasswordlessLogin(cradle)).singleton(),
    userBlocks: asFunction((cradle: Cradle) => new UserBlocks(cradle)).singleton(),
    verifyServices: asFunction((cradle: Cradle) => new VerifyServices(cradle)).singleton(),
    verifications: asFunction((cradle: Cradle) => new Verifications(cradle)).singleton(),
    smsProtectionPolicies: asFunction((cradle: Cradle) => new SmsProtectionPolicies(cradle)).singleton(),
    smsScreening: asFunction((cradle: Cradle) => new SmsScreening(cradle)).singleton(),

    readModels: asFunction(({ config }: Cradle) => ReadModelStore.open(ReadModelStore.fileIn(config.dataDir)))
      .singleton()
      .disposer((readModels) => readModels.close()),
    projections: asFunction(({ secrets }: Cradle) => allProjections(secrets)).singleton(),
    // read models are fed the log as stored: their copies of personal fields stay sealed
    projectionRunner: asFunction(
      ({ storedEvents, readModels, projections, logger }: Cradle) =>
        new ProjectionRunner({ eventStore: storedEvents, readModels, projections, logger }),
    )
      .singleton()
      .disposer((runner) => runner.stop()),
  });
  container.register(overrides as { [Name in keyof Cradle]: Resolver<Cradle[Name]> });
  if (!overrides.secrets) {
    container.register({ secrets: asValue(await loadSecrets(config, container.resolve('logger'))) });
  }
  if (!overrides.smsPlugins) {
    // a broken plugin is logged and skipped here, never a failed start
    container.register({ smsPlugins: asValue(await loadSmsPlugins({ external: config.plugins, logger: container.resolve('logger') })) });
  }
  return container;
}
