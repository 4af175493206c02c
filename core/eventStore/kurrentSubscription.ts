import type { AllStreamResolvedEvent, AllStreamSubscription } from '@kurrent/kurrentdb-client';
import { matchesFilter } from './eventFilter.js';
import { isSystemEvent, toGlobalPosition, toRecordedEvent } from './kurrentMapping.js';
import type { EventHandler, SubscribeOptions, Subscription } from './types.js';

/**
 * A catch-up subscription to $all that hands events to the handler one at a time.
 *
 * The client's subscription is an object-mode stream: we pull from it with `read()` only after the
 * handler has finished, so backpressure reaches the server and memory stays flat.
 *
 * `caughtUp`: the server (KurrentDB / EventStoreDB 23.10+) sends a caught-up message in the same
 * ordered stream as the events, and the client emits it as a `caughtUp` event the moment it passes
 * through — possibly while earlier events still wait in the stream's buffer. So at that moment we note
 * how many events will have been taken out of the stream once the buffer is drained, and resolve when
 * that many have been processed.
 */
export class KurrentSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  #position: number;
  #closed = false;
  /** Events taken from the stream, and events fully processed (handled or skipped). */
  #taken = 0;
  #processed = 0;
  #caughtUpAfter: number | undefined;
  #resolveCaughtUp!: () => void;
  #rejectCaughtUp!: (error: Error) => void;
  #wake: (() => void) | undefined;

  constructor(
    private readonly stream: AllStreamSubscription,
    private readonly options: SubscribeOptions & { fromPosition: number },
    private readonly handler: EventHandler,
    private readonly onClose: () => void = () => undefined,
  ) {
    this.#position = options.fromPosition;
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.#resolveCaughtUp = resolve;
      this.#rejectCaughtUp = reject;
    });
    // Whoever awaits `caughtUp` sees a failure; nobody awaiting it must not crash the process.
    this.caughtUp.catch(() => undefined);
    stream.on('caughtUp', () => {
      this.#caughtUpAfter ??= this.#taken + stream.readableLength;
      this.#checkCaughtUp();
    });
    stream.on('error', (error: Error) => this.#fail(error));
    void this.#pump();
  }

  get position(): number {
    return this.#position;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose();
    this.#wake?.();
    try {
      await this.stream.unsubscribe();
    } catch {
      // The call never started (the connection failed): there is nothing to cancel.
    } finally {
      this.stream.destroy();
    }
  }

  async #pump(): Promise<void> {
    try {
      while (!this.#closed) {
        const resolved = this.stream.read() as AllStreamResolvedEvent | null;
        if (resolved === null) {
          await this.#waitForData();
          if (!this.#closed && (this.stream.readableEnded || this.stream.destroyed)) {
            throw new Error('KurrentDB subscription ended unexpectedly');
          }
          continue;
        }
        this.#taken += 1;
        await this.#process(resolved);
        this.#processed += 1;
        this.#checkCaughtUp();
      }
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #process({ event: raw }: AllStreamResolvedEvent): Promise<void> {
    if (!raw || this.#closed || isSystemEvent(raw.streamId, raw.type)) return;
    // The server starts after the checkpoint already; this guards the exclusive contract regardless.
    if (toGlobalPosition(raw.position) <= this.options.fromPosition) return;
    const event = toRecordedEvent(raw);
    if (!matchesFilter(event, this.options.filter)) return;
    await this.handler(event);
    this.#position = event.globalPosition;
  }

  #waitForData(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.stream.off('readable', wake).off('end', wake).off('close', wake);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = wake;
      this.stream.on('readable', wake).on('end', wake).on('close', wake);
    });
  }

  #checkCaughtUp(): void {
    if (this.#caughtUpAfter !== undefined && this.#processed >= this.#caughtUpAfter) this.#resolveCaughtUp();
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#rejectCaughtUp(error);
    this.options.onError?.(error);
    void this.close();
  }
}
