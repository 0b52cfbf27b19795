import {
  type Consumer,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import type { FetchedRecord } from './held-messages';

/** Stream errors in a row, with no message between them, after which the consumer gives up (a crash). */
const MAX_STREAM_RESTARTS = 10;
const STREAM_RESTART_DELAY_MS = 1_000;

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/** What the stream tells its consumer. */
export interface StreamEvents {
  record(record: FetchedRecord): void;
  /** Opened again, the member and its partitions unchanged: the bookkeeping starts over with it. */
  reopened(): void;
  /** The stream failed; `reopening` says whether it will be opened again. */
  failed(error: Error, reopening: boolean): void;
}

/**
 * A @platformatic/kafka consumer's one stream of messages for all partitions, from the committed offsets.
 *
 * The join runs on after `open`, as under kafkajs: a group that refuses this member is a crash, not a
 * failed start. A stream the library ends with an error (a fetch that failed all its retries, say a
 * killed leader's) is opened again from the committed offsets, up to MAX_STREAM_RESTARTS times in a row
 * without a message in between. Opening it again joins the group again, and that join may fail while
 * the group's coordinator moves to a live broker: it is tried again the same way, not a crash.
 */
export class ReopeningStream {
  private stream: Stream | undefined;
  private starting: Promise<void> | undefined;
  private restarts = 0;
  private closing = false;
  private halted = false;

  constructor(
    private readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
    private readonly topic: string,
    private readonly events: StreamEvents,
  ) {}

  open(reopening = false): void {
    this.starting = this.consumer
      .consume({
        topics: [this.topic],
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: MessagesStreamFallbackModes.EARLIEST,
        autocommit: false,
        maxWaitTime: 500,
      })
      .then(
        (stream) => {
          this.attach(stream);
          if (reopening) this.events.reopened();
        },
        (error: unknown) => {
          if (this.closing) return;
          const failure = error instanceof Error ? error : new Error(String(error));
          if (reopening) this.reopenLater(failure);
          else this.events.failed(failure, false);
        },
      );
  }

  /**
   * Opens the stream again now, from the committed offsets: to fetch what a full partition dropped. What
   * is held already is recognised and dropped, and the dropped messages come again, in order, without a gap.
   */
  reopen(beforeOpening: () => void): void {
    const stream = this.stream;
    if (!stream || this.closing) return;
    this.stream = undefined;
    void stream
      .close()
      .catch(() => undefined)
      .then(() => {
        beforeOpening();
        if (!this.closing) this.open(true);
      });
  }

  pause(): void {
    this.stream?.pause();
  }

  /** Fetches on, if it was paused and is still wanted. */
  resume(): void {
    if (!this.halted && !this.closing && this.stream?.isPaused()) this.stream.resume();
  }

  /** Stops fetching for good: the consumer failed and nothing may move on. */
  halt(): void {
    this.halted = true;
    this.stream?.pause();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.starting;
    await this.stream?.close();
  }

  /** Reports the failure and opens the stream again after a pause, while restarts are left. */
  private reopenLater(error: Error): void {
    const reopen = this.restarts < MAX_STREAM_RESTARTS && !this.halted;
    this.events.failed(error, reopen);
    if (!reopen) return;
    this.restarts += 1;
    setTimeout(() => {
      if (!this.closing && !this.halted) this.open(true);
    }, STREAM_RESTART_DELAY_MS).unref();
  }

  private attach(stream: Stream): void {
    this.stream = stream;
    // Only the current stream's messages count: one closed to be opened again may still be emptying.
    stream.on('data', (record: FetchedRecord) => {
      if (this.stream !== stream) return;
      this.restarts = 0;
      this.events.record(record);
    });
    stream.on('error', (error: Error) => {
      if (this.closing || this.stream !== stream) return;
      this.stream = undefined;
      this.reopenLater(error);
    });
    if (this.closing || this.halted) stream.pause();
  }
}
