import { handleCommand, loadState } from '../decider/commandHandler.js';
import { DomainError, type Decider } from '../decider/decider.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import { ConcurrencyError } from '../eventStore/concurrencyError.js';
import type { Clock } from '../clock.js';
import type { Ids } from '../ids.js';
import { userDecider, type User, type UserState } from './userDecider.js';
import { identifierHash, identifierStreamId, userStreamId, type IdentifierEvent, type IdentifierKind } from './userEvents.js';

export type LookupKind = IdentifierKind | 'user_id';

export interface NewUserProfile {
  phoneNumber?: string;
  email?: string;
  username?: string;
}

export class IdentifierTakenError extends DomainError {
  constructor(readonly kind: IdentifierKind) {
    super('identifier_taken', `${kind} is already used by another user`, 'conflict');
  }
}

/**
 * Who holds an identifier: the user of its newest claim, nobody after a release (an erasure). Each
 * event says it all, so each is a snapshot.
 */
const claimHolder: Decider<string | undefined, never, IdentifierEvent> = {
  initialState: () => undefined,
  decide: () => [],
  evolve: (_holder, event) => (event.type === 'IdentifierClaimed' ? event.data.userId : undefined),
  isSnapshot: () => true,
};

/** A claim without its user for this long is an orphan from a crashed creation. */
const ORPHAN_CLAIM_AGE_MS = 60_000;

const normalise = (kind: IdentifierKind, value: string) => (kind === 'phone_number' ? value : value.trim().toLowerCase());

/**
 * Users of every tenant: lookups by identifier through index streams (one per keyed hash of an
 * identifier; the first claim wins, so two users never share a phone, email or username), and the
 * user commands. Everything reads the streams themselves: strongly consistent.
 */
export class UserDirectory {
  private readonly eventStore: EventStore;
  private readonly hmacKey: Buffer;
  private readonly ids: Ids;
  private readonly clock: Clock;

  constructor({ eventStore, secrets, ids, clock }: { eventStore: EventStore; secrets: { hmacKey: Buffer }; ids: Ids; clock: Clock }) {
    this.eventStore = eventStore;
    this.hmacKey = secrets.hmacKey;
    this.ids = ids;
    this.clock = clock;
  }

  /**
   * The keyed hash an index (and the audit phone index) uses for an identifier; a phone number is given in
   * E.164. A user id (never indexed) hashes as given: it names the stream of an unknown identifier's codes.
   */
  identifierHash(kind: LookupKind, value: string): string {
    return identifierHash(this.hmacKey, kind, kind === 'user_id' ? value : normalise(kind, value));
  }

  /** The user, or undefined when there is none or it was erased. */
  async getUser(tenantId: string, userId: string): Promise<User | undefined> {
    const state = await this.userState(tenantId, userId);
    return state?.erasedAt === undefined ? state : undefined;
  }

  /** The user stream folded, an erased user included (with `erasedAt` and no personal fields). */
  async userState(tenantId: string, userId: string): Promise<UserState> {
    return loadState(this.eventStore, userStreamId(tenantId, userId), userDecider);
  }

  /** Who holds a phone number (by its keyed hash) in the tenant, if anyone. */
  async phoneHolder(tenantId: string, phoneHash: string): Promise<string | undefined> {
    return loadState(this.eventStore, identifierStreamId(tenantId, 'phone_number', phoneHash), claimHolder);
  }

  /**
   * Gives up a user's claim on an identifier (their erasure), by the index stream's name, so the
   * identifier can be claimed again. Nothing happens when someone else holds it now.
   */
  async releaseClaim(stream: string, userId: string, metadata: Partial<EventMetadata>): Promise<void> {
    for (;;) {
      const [last] = await this.eventStore.readStream(stream, { direction: 'backwards', maxCount: 1 });
      if (!last || last.type !== 'IdentifierClaimed' || (last.data as IdentifierEvent['data']).userId !== userId) return;
      const event: IdentifierEvent = { type: 'IdentifierReleased', data: { userId, kind: (last.data as IdentifierEvent['data']).kind } };
      try {
        await this.eventStore.appendToStream(stream, [{ ...event, metadata }], { expectedRevision: last.revision });
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
  }

  async findUser(tenantId: string, kind: LookupKind, value: string): Promise<User | undefined> {
    if (kind === 'user_id') return this.getUser(tenantId, value);
    const stream = identifierStreamId(tenantId, kind, this.identifierHash(kind, value));
    const userId = await loadState(this.eventStore, stream, claimHolder);
    return userId ? this.getUser(tenantId, userId) : undefined;
  }

  /** `POST /users`: creates the user, or adds an existing one (found by any identifier) to the app. */
  async createOrAddToApp(
    tenantId: string,
    clientId: string,
    profile: NewUserProfile,
    metadata: Partial<EventMetadata>,
  ): Promise<{ user: User; created: boolean }> {
    for (let attempt = 0; attempt < 10; attempt++) {
      // another request is creating a user with this phone right now: give it a moment to finish
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      const existing = await this.findExisting(tenantId, profile);
      if (existing) {
        const result = await handleCommand(
          this.eventStore,
          userStreamId(tenantId, existing.userId),
          userDecider,
          { type: 'AddUserToApp', clientId },
          metadata,
        );
        return { user: result.state!, created: false };
      }
      const userId = this.ids.uuid();
      // the phone decides who the user is: if another request claimed it first, that user is the one
      if (profile.phoneNumber && !(await this.claim(tenantId, 'phone_number', profile.phoneNumber, userId, metadata))) continue;
      for (const kind of ['email', 'username'] as const) {
        const value = profile[kind === 'email' ? 'email' : 'username'];
        if (value && !(await this.claim(tenantId, kind, value, userId, metadata))) throw new IdentifierTakenError(kind);
      }
      const phoneHash = profile.phoneNumber === undefined ? undefined : this.identifierHash('phone_number', profile.phoneNumber);
      const result = await handleCommand(
        this.eventStore,
        userStreamId(tenantId, userId),
        userDecider,
        { type: 'CreateUser', userId, tenantId, clientId, ...profile, ...(phoneHash && { phoneHash }) },
        metadata,
      );
      return { user: result.state!, created: true };
    }
    throw new Error('could not create the user: identifiers kept changing hands');
  }

  /** Adds a phone to a user's profile and marks it verified (claiming it in the index). */
  async verifyPhone(
    tenantId: string,
    userId: string,
    phoneNumber: string,
    via: 'login' | 'verification',
    metadata: Partial<EventMetadata>,
  ): Promise<User> {
    if (!(await this.claim(tenantId, 'phone_number', phoneNumber, userId, metadata))) throw new IdentifierTakenError('phone_number');
    const phoneHash = this.identifierHash('phone_number', phoneNumber);
    const result = await handleCommand(
      this.eventStore,
      userStreamId(tenantId, userId),
      userDecider,
      { type: 'VerifyPhone', phoneNumber, phoneHash, via },
      metadata,
    );
    return result.state!;
  }

  private async findExisting(tenantId: string, profile: NewUserProfile): Promise<User | undefined> {
    if (profile.phoneNumber) {
      const user = await this.findUser(tenantId, 'phone_number', profile.phoneNumber);
      if (user) return user;
    }
    if (profile.email) {
      const user = await this.findUser(tenantId, 'email', profile.email);
      if (user) return user;
    }
    return profile.username ? this.findUser(tenantId, 'username', profile.username) : undefined;
  }

  private async readClaim(tenantId: string, kind: IdentifierKind, value: string) {
    const stream = identifierStreamId(tenantId, kind, this.identifierHash(kind, value));
    const [last] = await this.eventStore.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (!last) return undefined;
    // after a release the identifier is free, at the stream's current revision
    const holder = last.type === 'IdentifierClaimed' ? (last.data as IdentifierEvent['data']).userId : undefined;
    return { userId: holder, revision: last.revision, recordedAt: last.recordedAt };
  }

  /**
   * Claims an identifier for a user. True when the user holds it afterwards. A claim left by a
   * user whose creation never completed (a crash between claim and `UserCreated`) is taken over,
   * once it is old enough that the creation cannot still be under way.
   */
  private async claim(
    tenantId: string,
    kind: IdentifierKind,
    value: string,
    userId: string,
    metadata: Partial<EventMetadata>,
  ): Promise<boolean> {
    for (;;) {
      const current = await this.readClaim(tenantId, kind, value);
      if (current?.userId === userId) return true;
      if (current?.userId !== undefined) {
        const inFlight = this.clock.now().getTime() - current.recordedAt.getTime() < ORPHAN_CLAIM_AGE_MS;
        if (inFlight || (await this.getUser(tenantId, current.userId))) return false;
      }
      const event: IdentifierEvent = { type: 'IdentifierClaimed', data: { userId, kind } };
      try {
        await this.eventStore.appendToStream(
          identifierStreamId(tenantId, kind, this.identifierHash(kind, value)),
          [{ ...event, metadata }],
          {
            expectedRevision: current ? current.revision : 'no_stream',
          },
        );
        return true;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
  }
}
