import { CLIENT_SECRET_DOMAIN, clientStreamId, isPublicClient, tenantStreamId, type ApplicationSettings } from './applicationEvents.js';
import { applicationDecider, type Application } from './applicationDecider.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import { keyedHash, sameDigest } from '../crypto/keyedHash.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import { randomBytes } from 'node:crypto';

/**
 * Tenants and their applications, read from and written to their own streams. Client secrets
 * are machine-generated (or given in bootstrap config) and stored as keyed SHA-256: checking one
 * costs a microsecond, unlike a password hash, and with high-entropy secrets it is just as safe.
 */
export class ApplicationRegistry {
  private readonly eventStore: EventStore;
  private readonly hmacKey: Buffer;

  constructor({ eventStore, secrets }: { eventStore: EventStore; secrets: { hmacKey: Buffer } }) {
    this.eventStore = eventStore;
    this.hmacKey = secrets.hmacKey;
  }

  secretHash(secret: string): string {
    return keyedHash(this.hmacKey, CLIENT_SECRET_DOMAIN, secret);
  }

  /** A new random client secret (256 bits, base64url). */
  static generateSecret(): string {
    return randomBytes(32).toString('base64url');
  }

  async get(clientId: string): Promise<Application | undefined> {
    return loadState(this.eventStore, clientStreamId(clientId), applicationDecider);
  }

  /** The application if `secret` is its client secret; undefined otherwise (unknown, wrong or a public client alike). */
  async authenticate(clientId: string, secret: string): Promise<Application | undefined> {
    const app = await this.get(clientId);
    const presented = this.secretHash(secret);
    // compare even for an unknown or public client, so every case takes the same time
    const ok = sameDigest(app?.secretHash ?? presented.replace(/./g, '0'), presented);
    return ok && app?.secretHash ? app : undefined;
  }

  async ensureTenant(tenantId: string, name: string, metadata: Partial<EventMetadata>): Promise<void> {
    const stream = tenantStreamId(tenantId);
    const [last] = await this.eventStore.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (!last) {
      await this.eventStore
        .appendToStream(stream, [{ type: 'TenantCreated', data: { tenantId, name }, metadata }], { expectedRevision: 'no_stream' })
        .catch((error: unknown) => {
          if (!(error instanceof Error && error.name === 'ConcurrencyError')) throw error;
        });
    }
  }

  /** Bootstrap: `secret` is undefined for a public client. */
  async ensure(
    tenantId: string,
    clientId: string,
    secret: string | undefined,
    settings: ApplicationSettings,
    metadata: Partial<EventMetadata>,
  ): Promise<Application> {
    const result = await handleCommand(
      this.eventStore,
      clientStreamId(clientId),
      applicationDecider,
      { type: 'EnsureApplication', tenantId, clientId, ...(secret !== undefined && { secretHash: this.secretHash(secret) }), settings },
      metadata,
    );
    return result.state!;
  }

  /** A confidential client gets a new random secret (shown once); a public client gets none. */
  async register(
    tenantId: string,
    clientId: string,
    settings: ApplicationSettings,
    metadata: Partial<EventMetadata>,
  ): Promise<{ app: Application; clientSecret?: string }> {
    const clientSecret = isPublicClient(settings) ? undefined : ApplicationRegistry.generateSecret();
    const result = await handleCommand(
      this.eventStore,
      clientStreamId(clientId),
      applicationDecider,
      {
        type: 'RegisterApplication',
        tenantId,
        clientId,
        ...(clientSecret !== undefined && { secretHash: this.secretHash(clientSecret) }),
        settings,
      },
      metadata,
    );
    return { app: result.state!, ...(clientSecret !== undefined && { clientSecret }) };
  }

  async update(
    tenantId: string,
    clientId: string,
    changes: Partial<ApplicationSettings>,
    metadata: Partial<EventMetadata>,
  ): Promise<Application> {
    const result = await handleCommand(
      this.eventStore,
      clientStreamId(clientId),
      applicationDecider,
      { type: 'UpdateApplication', tenantId, changes },
      metadata,
    );
    return result.state!;
  }

  async rotateSecret(
    tenantId: string,
    clientId: string,
    metadata: Partial<EventMetadata>,
  ): Promise<{ app: Application; clientSecret: string }> {
    const clientSecret = ApplicationRegistry.generateSecret();
    const result = await handleCommand(
      this.eventStore,
      clientStreamId(clientId),
      applicationDecider,
      { type: 'RotateClientSecret', tenantId, secretHash: this.secretHash(clientSecret) },
      metadata,
    );
    return { app: result.state!, clientSecret };
  }
}
