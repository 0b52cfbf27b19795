import type { EventProducer, OutgoingMessage, PartitionAck } from './event-producer';

/**
 * A producer that knows how long its sends have failed in a row, whichever client is behind it: a
 * producer that cannot send is a readiness detail and a metric, not something found in the logs.
 */
export class TrackedEventProducer implements EventProducer {
  private failingSince: number | undefined;

  constructor(private readonly inner: EventProducer) {}

  connect(): Promise<void> {
    return this.inner.connect();
  }

  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }

  async send(topic: string, messages: OutgoingMessage[]): Promise<PartitionAck[]> {
    try {
      const acks = await this.inner.send(topic, messages);
      this.failingSince = undefined;
      return acks;
    } catch (error) {
      this.failingSince ??= Date.now();
      throw error;
    }
  }

  /** Milliseconds since the first of the sends that failed in a row; 0 when the last send succeeded. */
  failingForMs(now = Date.now()): number {
    return this.failingSince === undefined ? 0 : now - this.failingSince;
  }
}
