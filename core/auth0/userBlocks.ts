import type { Clock } from '../clock.js';
import { foldEvents, handleCommand } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore, RecordedEvent } from '../eventStore/types.js';
import { bruteForceDecider, bruteForceStreamId, bruteForceStreamPrefix, isBlocked } from './bruteForceDecider.js';

export interface UserBlock {
  /** The blocked IP, as the keyed hash its stream is named by (the address itself is never stored). */
  ipHash: string;
  until: string;
}

/**
 * Auth0's user blocks for the passwordless connection: which IPs brute-force protection blocked for a
 * user (phone), and lifting them. Found through the user's brute-force streams (one per IP hash) by
 * name prefix: a scan of the log, fine for an admin's occasional question.
 */
export class UserBlocks {
  constructor(private readonly deps: { eventStore: EventStore; clock: Clock }) {}

  async list(tenantId: string, phoneHash: string): Promise<UserBlock[]> {
    const prefix = bruteForceStreamPrefix(tenantId, phoneHash);
    const byStream = new Map<string, RecordedEvent[]>();
    for await (const event of this.deps.eventStore.readAll({ filter: { streamPrefixes: [prefix] } })) {
      byStream.set(event.streamName, [...(byStream.get(event.streamName) ?? []), event]);
    }
    const now = this.deps.clock.now();
    const blocks: UserBlock[] = [];
    for (const [stream, events] of byStream) {
      const state = foldEvents(bruteForceDecider, events);
      if (isBlocked(state, now)) blocks.push({ ipHash: stream.slice(prefix.length), until: new Date(state.blockedUntil!).toISOString() });
    }
    return blocks;
  }

  /** Lifts every block of the user; returns how many were lifted. */
  async unblock(tenantId: string, phoneHash: string, metadata: Partial<EventMetadata>): Promise<number> {
    let lifted = 0;
    for (const block of await this.list(tenantId, phoneHash)) {
      const result = await handleCommand(
        this.deps.eventStore,
        bruteForceStreamId(tenantId, phoneHash, block.ipHash),
        bruteForceDecider,
        { type: 'UnblockIp', now: this.deps.clock.now() },
        metadata,
      );
      lifted += result.events.length;
    }
    return lifted;
  }
}
