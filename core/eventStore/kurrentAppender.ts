import {
  BACKWARDS,
  END,
  FORWARDS,
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendResult as KurrentAppendResult,
  type KurrentDBClient,
} from '@kurrent/kurrentdb-client';
import { chainAppend, NO_STREAM_HEAD, type ChainedEvent, type StreamHead } from './appendChain.js';
import { ConcurrencyError } from './concurrencyError.js';
import { satisfies } from './expectedRevision.js';
import { chainOf } from './hashChain.js';
import { EventIdReusedError } from './idempotentAppend.js';
import { isUnknownOutcome, kurrentError, toActualRevision, toEventData, toRecordedEvent } from './kurrentMapping.js';
import type { AppendResult, ExpectedRevision, NewEvent, RecordedEvent } from './types.js';

/** The part of the client the appender uses (a model of it stands in for the server in unit tests). */
export type AppendClient = Pick<KurrentDBClient, 'appendToStream' | 'readStream'>;

/** One caller's append, its ids fixed before the first attempt. */
export interface KurrentAppend {
  stream: string;
  events: readonly NewEvent[];
  ids: readonly string[];
  /** Whether the caller chose the ids (then it may be a retry of an append already written). */
  callerIds: boolean;
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: Error) => void;
}

/** Appends a stream takes in one server append; the rest wait for the next. */
const MAX_APPENDS_PER_WRITE = 500;
/** Another process moving the stream between our head read and our append: bounded retries. */
const MAX_ATTEMPTS = 20;

type Planned =
  | { kind: 'write'; append: KurrentAppend; rows: ChainedEvent[] }
  | { kind: 'done'; append: KurrentAppend; result: AppendResult }
  | { kind: 'failed'; append: KurrentAppend; error: Error }
  /** A retry of an append earlier in the same batch: answered as that one. */
  | { kind: 'same'; append: KurrentAppend; as: number };

/**
 * Appends to KurrentDB with the hash chain (`hashChain.ts`): each link needs the stream's head, and the
 * server checks the revision we chained on. Appends to one stream from this process are queued and
 * written in batches, one at a time per stream: one head read (from the leader, so a lagging follower
 * cannot turn our exact revision into a false conflict), each append checked against its own expected
 * revision in order, and all of them in one server append at that exact revision. Racing each other
 * within one process is therefore impossible; only another process can move the stream between our read
 * and our append, and then the server's conflict says where the stream is (`actualState`), which we
 * chain on next, so a stream whose events expired, were truncated or soft-deleted converges at once.
 */
export class KurrentAppender {
  private readonly queues = new Map<string, KurrentAppend[]>();
  private readonly drains = new Set<Promise<void>>();

  constructor(private readonly client: () => AppendClient) {}

  append(append: KurrentAppend): void {
    const queue = this.queues.get(append.stream);
    if (queue) {
      queue.push(append);
      return;
    }
    this.queues.set(append.stream, [append]);
    const drain = this.drain(append.stream).finally(() => this.drains.delete(drain));
    this.drains.add(drain);
  }

  /** Resolves once every append queued so far has its outcome. */
  async idle(): Promise<void> {
    while (this.drains.size > 0) await Promise.all([...this.drains]);
  }

  private async drain(stream: string): Promise<void> {
    const queue = this.queues.get(stream)!;
    try {
      while (queue.length > 0) await this.write(stream, queue.splice(0, MAX_APPENDS_PER_WRITE));
    } finally {
      this.queues.delete(stream);
    }
  }

  private async write(stream: string, batch: KurrentAppend[]): Promise<void> {
    let known: number | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const head = await this.readHead(stream, known);
        const planned = await this.plan(stream, batch, head);
        const rows = planned.flatMap((item) => (item.kind === 'write' ? item.rows : []));
        if (rows.length === 0) return settle(planned, []);
        const result = await this.appendOnce(stream, rows, head);
        if ('conflict' in result) {
          if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyError(stream, 'any', result.conflict);
          known = result.conflict;
          continue;
        }
        return settle(planned, await this.positions(stream, planned, head, result));
      }
    } catch (error) {
      for (const append of batch) {
        append.reject(
          error instanceof ConcurrencyError ? new ConcurrencyError(stream, append.expected, error.actual) : kurrentError(error, 'append'),
        );
      }
    }
  }

  /**
   * One server append at exactly the revision we chained on. A timeout or a lost connection leaves
   * the outcome unknown: the same append (same ids, same revision) is sent once more, which the server
   * answers as the first write when it did land (its idempotency check for an exact revision).
   */
  private async appendOnce(stream: string, rows: ChainedEvent[], head: StreamHead): Promise<KurrentAppendResult | { conflict: number }> {
    const data = rows.map((row) => toEventData({ id: row.id, type: row.type, data: row.data }, row.metadata));
    const streamState = head.revision === -1 ? NO_STREAM : BigInt(head.revision);
    for (let retried = false; ; retried = true) {
      try {
        const result = await this.client().appendToStream(stream, data, { streamState });
        // with `throwOnAppendFailure=false` in the connection string the client reports conflicts this way
        if (!result.success) return { conflict: Number(result.nextExpectedRevision) };
        return result;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) return { conflict: toActualRevision(error.actualState) };
        if (retried || !isUnknownOutcome(error)) throw error;
      }
    }
  }

  /**
   * The stream's last revision and chain hash, read from the leader. `known` is the revision the server
   * reported in a conflict: when its event cannot be read (expired, truncated, soft-deleted), the chain
   * goes on from that revision with no previous link.
   */
  private async readHead(stream: string, known: number | undefined): Promise<StreamHead> {
    const [last] = await this.read(stream, { direction: 'backwards', maxCount: 1 });
    if (known !== undefined && known >= 0 && (!last || last.revision < known)) return { revision: known, hash: null };
    return last ? { revision: last.revision, hash: chainOf(last.metadata)?.hash ?? null } : NO_STREAM_HEAD;
  }

  private async plan(stream: string, batch: readonly KurrentAppend[], head: StreamHead): Promise<Planned[]> {
    const planned: Planned[] = [];
    const plannedIds = new Map<string, number>();
    let working = head;
    for (const append of batch) {
      const index = planned.length;
      if (append.callerIds) {
        const earlier = plannedIds.get(append.ids[0]!);
        if (earlier !== undefined) {
          planned.push(sameAs(append, planned[earlier]!, earlier));
          continue;
        }
        try {
          const written = await this.written(stream, append, head);
          if (written) {
            planned.push({ kind: 'done', append, result: written });
            continue;
          }
        } catch (error) {
          planned.push({ kind: 'failed', append, error: error as Error });
          continue;
        }
      }
      if (!satisfies(append.expected, working.revision)) {
        planned.push({ kind: 'failed', append, error: new ConcurrencyError(stream, append.expected, working.revision) });
        continue;
      }
      const chained = chainAppend(working, append.events, append.ids);
      working = chained.head;
      for (const id of append.ids) plannedIds.set(id, index);
      planned.push({ kind: 'write', append, rows: chained.rows });
    }
    return planned;
  }

  /**
   * Whether a caller's append (its own ids) was already written: at the revision it expected, when the
   * stream has moved past it, else at the tail. Returns what the first write answered, or undefined.
   */
  private async written(stream: string, append: KurrentAppend, head: StreamHead): Promise<AppendResult | undefined> {
    const count = append.ids.length;
    const at = append.expected === 'no_stream' ? -1 : typeof append.expected === 'number' ? append.expected : undefined;
    let candidates: RecordedEvent[];
    if (at !== undefined && at < head.revision) candidates = await this.read(stream, { fromRevision: at + 1, maxCount: count });
    else if (at === undefined && head.revision >= count - 1)
      candidates = (await this.read(stream, { direction: 'backwards', maxCount: count })).reverse();
    else return undefined;
    const matches = candidates.filter((event, index) => event.id === append.ids[index]).length;
    if (matches === 0) return undefined;
    if (matches < count || candidates.some((event, index) => event.type !== append.events[index]!.type)) {
      throw new EventIdReusedError(`stream ${stream}: the event ids of this append were already recorded for other events`);
    }
    const last = candidates[count - 1]!;
    return { nextExpectedRevision: last.revision, position: last.globalPosition };
  }

  /**
   * Each written append's position: the server reports the last event's; with several appends in the
   * write, their events are read back (from the leader) for the others'.
   */
  private async positions(stream: string, planned: readonly Planned[], head: StreamHead, result: KurrentAppendResult): Promise<number[]> {
    const writes = planned.filter((item) => item.kind === 'write');
    if (!result.position) throw new Error(`KurrentDB did not report a position for the append to ${stream}`);
    // The server puts the log position of the append's last record in `commit`; for an event written
    // through gRPC that is what reads report as its prepare, i.e. our global position.
    if (writes.length === 1) return [Number(result.position.commit)];
    const total = writes.reduce((sum, item) => sum + item.rows.length, 0);
    const events = await this.read(stream, { fromRevision: head.revision + 1, maxCount: total });
    const byRevision = new Map(events.map((event) => [event.revision, event.globalPosition]));
    return writes.map((item) => byRevision.get(item.rows[item.rows.length - 1]!.revision) ?? Number(result.position!.commit));
  }

  private async read(
    stream: string,
    options: { direction?: 'forwards' | 'backwards'; fromRevision?: number; maxCount: number },
  ): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client().readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? END : BigInt(options.fromRevision),
        maxCount: options.maxCount,
        requiresLeader: true,
      })) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }
}

function sameAs(append: KurrentAppend, earlier: Planned, as: number): Planned {
  const same =
    earlier.kind === 'write' &&
    earlier.rows.length === append.ids.length &&
    earlier.rows.every((row, index) => row.id === append.ids[index] && row.type === append.events[index]!.type);
  if (!same)
    return {
      kind: 'failed',
      append,
      error: new EventIdReusedError(`stream ${append.stream}: the event ids of this append were already used for other events`),
    };
  return { kind: 'same', append, as };
}

/** Gives every append of the batch its outcome; `positions` are the written appends', in order. */
function settle(planned: readonly Planned[], positions: readonly number[]): void {
  const results: (AppendResult | undefined)[] = [];
  let written = 0;
  for (const item of planned) {
    if (item.kind === 'write') {
      const last = item.rows[item.rows.length - 1]!;
      results.push({ nextExpectedRevision: last.revision, position: positions[written++]! });
    } else results.push(item.kind === 'done' ? item.result : undefined);
  }
  planned.forEach((item, index) => {
    if (item.kind === 'failed') return item.append.reject(item.error);
    const result = item.kind === 'same' ? results[item.as] : results[index];
    if (result) item.append.resolve(result);
    else item.append.reject(new Error(`stream ${item.append.stream}: the append it repeats was not written`));
  });
}
