import { toAuditRecord, type AuditRecord } from '../audit/redact.js';
import type { Clock } from '../clock.js';
import { handleCommand } from '../decider/commandHandler.js';
import { DomainError } from '../decider/decider.js';
import type { EventMetadata, EventStore, RecordedEvent } from '../eventStore/types.js';
import { userDecider, type User } from '../users/userDecider.js';
import type { UserDirectory } from '../users/userDirectory.js';
import { userStreamId } from '../users/userEvents.js';
import { phonePositions } from '../../projections/phoneIndex.js';
import type { ProjectionRunner } from '../../projections/projectionRunner.js';
import type { ReadModelStore } from '../../projections/readModelStore.js';
import { subjectLinks } from '../../projections/subjectIndex.js';
import type { PersonalDataSealer } from './personalDataSealer.js';
import type { SubjectKeys } from './subjectKeys.js';
import { phoneSubject, userSubject } from './subjects.js';

export class UnknownUserError extends DomainError {
  constructor() {
    super('user_not_found', 'user not found', 'not_found');
  }
}

/** What the access request (GDPR art. 15) returns: the profile, or what is left of it, and every event about the user. */
export interface SubjectExport {
  user: ExportedUser;
  events: AuditRecord[];
}

export type ExportedUser =
  | {
      user_id: string;
      phone_number: string | null;
      phone_number_verified: boolean;
      email: string | null;
      username: string | null;
      apps: string[];
    }
  | { user_id: string; erased: true; erased_at: string; apps: string[] };

export interface Erasure {
  user_id: string;
  erased_at: string;
}

type Deps = {
  users: UserDirectory;
  eventStore: EventStore;
  storedEvents: EventStore;
  personalData: PersonalDataSealer;
  subjectKeys: SubjectKeys;
  readModels: ReadModelStore;
  projectionRunner: ProjectionRunner;
  clock: Clock;
};

/**
 * Data-subject requests on a user: the access export and the erasure (crypto-shredding). A user's
 * personal data is sealed under its own key (its user stream) and under the keys of the phones it
 * held (SMS outcomes, authorization codes, before or after the user existed); the subject index read
 * model knows which phones and streams those are, by keyed hash.
 */
export class DataSubjectRequests {
  constructor(private readonly deps: Deps) {}

  /**
   * Erases a user: destroys its keys (the user's, and its phones' unless another user holds one now),
   * records `UserErased`, releases its identifiers, and returns once this instance's read models have
   * forgotten it. Idempotent: a second erasure answers like the first. `UnknownUserError` for nobody.
   */
  async erase(tenantId: string, userId: string, actor: string, metadata: Partial<EventMetadata>): Promise<Erasure> {
    const { users, subjectKeys, projectionRunner, eventStore, clock } = this.deps;
    const before = await users.userState(tenantId, userId);
    if (!before) throw new UnknownUserError();
    await projectionRunner.catchUp(); // the subject index knows every phone and stream up to now
    const links = subjectLinks(this.deps.readModels.db, userSubject(tenantId, userId));
    const subjects = [
      userSubject(tenantId, userId),
      ...(await this.ownPhones(tenantId, userId, links.phones)).map((hash) => phoneSubject(tenantId, hash)),
    ];
    // the keys first: from here on nothing of the user can be read, whatever happens next
    await subjectKeys.destroy(subjects);
    const { state } = await handleCommand(
      eventStore,
      userStreamId(tenantId, userId),
      userDecider,
      { type: 'EraseUser', at: clock.now().toISOString(), actor },
      metadata,
    );
    for (const stream of links.streams.filter((name) => name.startsWith('useridx-'))) await users.releaseClaim(stream, userId, metadata);
    // again: a command that raced the erasure may have sealed something under a key made meanwhile
    await subjectKeys.destroy(subjects);
    await projectionRunner.catchUp(); // the read models have dropped the profile
    return { user_id: userId, erased_at: state!.erasedAt! };
  }

  /** The user's profile and every event about it, personal fields opened (`[erased]` after an erasure). */
  async export(tenantId: string, userId: string): Promise<SubjectExport> {
    const { users, storedEvents, personalData, projectionRunner, readModels } = this.deps;
    const user = await users.userState(tenantId, userId);
    if (!user) throw new UnknownUserError();
    await projectionRunner.catchUp();
    const ownStream = userStreamId(tenantId, userId);
    const own = await storedEvents.readStream(ownStream);
    const erasedAt = own.find((event) => event.type === 'UserErased')?.globalPosition ?? Number.POSITIVE_INFINITY;
    const links = subjectLinks(readModels.db, userSubject(tenantId, userId));
    const byPosition = new Map<number, RecordedEvent>(own.map((event) => [event.globalPosition, event]));
    for (const stream of links.streams)
      for (const event of await storedEvents.readStream(stream)) byPosition.set(event.globalPosition, event);
    const held = new Set(await this.ownPhones(tenantId, userId, links.phones));
    for (const phoneHash of links.phones) {
      for (const position of phonePositions(readModels.db, phoneHash, 0, Number.MAX_SAFE_INTEGER)) {
        // a phone's events up to the erasure; of a phone someone else holds, only those naming this user
        if (position > erasedAt || byPosition.has(position)) continue;
        const event = await this.eventAt(position);
        if (!event || (event.metadata.tenantId !== undefined && event.metadata.tenantId !== tenantId)) continue;
        if (held.has(phoneHash) || (event.data as { userId?: unknown } | null)?.userId === userId) byPosition.set(position, event);
      }
    }
    // codes asked for its email or username before they were its own (nobody was sent one), up to the erasure
    for (const identifierHash of links.identifiers) {
      for (const position of phonePositions(readModels.db, identifierHash, 0, Number.MAX_SAFE_INTEGER)) {
        if (position > erasedAt || byPosition.has(position)) continue;
        const event = await this.eventAt(position);
        if (event && (event.metadata.tenantId === undefined || event.metadata.tenantId === tenantId)) byPosition.set(position, event);
      }
    }
    const events = await personalData.open([...byPosition.values()].sort((a, b) => a.globalPosition - b.globalPosition));
    return { user: exportedUser(user), events: events.map(toAuditRecord) };
  }

  /** The phones (keyed hashes) whose keys are the user's to destroy: held by it, or by nobody else now. */
  private async ownPhones(tenantId: string, userId: string, phones: readonly string[]): Promise<string[]> {
    const own: string[] = [];
    for (const phoneHash of phones) {
      const holder = await this.deps.users.phoneHolder(tenantId, phoneHash);
      if (holder === undefined || holder === userId || !(await this.deps.users.getUser(tenantId, holder))) own.push(phoneHash);
    }
    return own;
  }

  private async eventAt(position: number): Promise<RecordedEvent | undefined> {
    for await (const event of this.deps.storedEvents.readAll({ fromPosition: position - 1, maxCount: 1 })) {
      if (event.globalPosition === position) return event;
    }
    return undefined;
  }
}

function exportedUser(user: User): ExportedUser {
  if (user.erasedAt !== undefined) return { user_id: user.userId, erased: true, erased_at: user.erasedAt, apps: user.apps };
  return {
    user_id: user.userId,
    phone_number: user.phoneNumber ?? null,
    phone_number_verified: user.phoneNumberVerified,
    email: user.email ?? null,
    username: user.username ?? null,
    apps: user.apps,
  };
}
