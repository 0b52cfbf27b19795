import { Logger } from '@nestjs/common';
import type { ConsumedBatch, GroupConsumer, GroupConsumerFactory } from '@redpacket/kafka';
import { readProbe } from './probe-message';

export type ProbeArrival = (partition: number, sentAtMs: number, arrivedAtMs: number) => void;

const SESSION_TIMEOUT_MS = 30_000;

/**
 * Reads the topic in the monitor's own consumer group and reports the probes this monitor wrote.
 * It starts from the beginning on its first run so it cannot miss its first probes; business
 * messages are skipped on a header test, without parsing. A message delivered again is not reported again.
 */
export class ProbeReader {
  private readonly logger = new Logger(ProbeReader.name);
  private readonly consumer: GroupConsumer;
  /** Per partition, the offset after the last message read. */
  private readonly readUpTo = new Map<number, bigint>();

  constructor(
    clients: GroupConsumerFactory,
    topic: string,
    group: string,
    private readonly writerId: string,
    private readonly onArrival: ProbeArrival,
  ) {
    this.consumer = clients.groupConsumer({
      groupId: group,
      topic,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: SESSION_TIMEOUT_MS / 10,
      rebalanceTimeoutMs: SESSION_TIMEOUT_MS * 2,
      partitionsConsumedConcurrently: 1,
    });
  }

  async start(): Promise<void> {
    await this.consumer.start({
      eachBatch: (batch) => this.read(batch),
      joined: () => undefined,
      rebalancing: () => undefined,
      crashed: (error, restart) => this.logger.warn('probe reader crashed', { error: error.message, restart }),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  private async read(batch: ConsumedBatch): Promise<void> {
    const from = this.readUpTo.get(batch.partition) ?? 0n;
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < from) continue;
      const probe = readProbe(message.headers);
      if (probe?.writerId === this.writerId) this.onArrival(batch.partition, probe.sentAtMs, Date.now());
      this.readUpTo.set(batch.partition, offset + 1n);
    }
    const next = this.readUpTo.get(batch.partition);
    // A lost commit costs a probe reported twice after a restart, nothing more.
    if (next !== undefined) await batch.commit(next.toString()).catch(() => undefined);
  }
}
