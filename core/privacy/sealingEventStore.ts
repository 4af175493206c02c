import type {
  AppendOptions,
  AppendResult,
  EventHandler,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../eventStore/types.js';
import type { PersonalDataSealer } from './personalDataSealer.js';

/** Events opened together on `readAll`: one key lookup per page. */
const OPEN_PAGE = 256;

/**
 * The event store as the domain uses it: personal fields (the catalogue's) are sealed with their
 * subject's key before every append, so the adapter hashes and stores ciphertext only, and opened on
 * every read, so deciders, time travel and audit see plaintext, or `[erased]` once a key is destroyed.
 * Any adapter goes underneath.
 *
 * What needs the log exactly as stored (hash chain verification, projections: read models keep
 * personal values sealed) reads the adapter itself (`storedEvents` in the container). That is also
 * why there is no `readReplayPage` here.
 */
export class SealingEventStore implements EventStore {
  readonly streamRevision?: (stream: string) => Promise<number>;

  constructor(
    private readonly inner: EventStore,
    private readonly sealer: PersonalDataSealer,
  ) {
    // the command side caches folded state only on stores that can tell a stream's revision cheaply
    if (inner.streamRevision) this.streamRevision = (stream) => inner.streamRevision!(stream);
  }

  async appendToStream(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.appendToStream(stream, await this.sealer.seal(stream, events), options);
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.sealer.open(await this.inner.readStream(stream, options));
  }

  async *readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    let page: RecordedEvent[] = [];
    for await (const event of this.inner.readAll(options)) {
      page.push(event);
      if (page.length >= OPEN_PAGE) {
        yield* await this.sealer.open(page);
        page = [];
      }
    }
    if (page.length > 0) yield* await this.sealer.open(page);
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): Subscription {
    return this.inner.subscribe(options, async (event) => handler((await this.sealer.open([event]))[0]!));
  }

  lastPosition(): Promise<number> {
    return this.inner.lastPosition();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
