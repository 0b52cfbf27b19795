import type { Consumer, Kafka } from 'kafkajs';
import { readProbe } from './probe-message';

export type ProbeArrival = (partition: number, sentAtMs: number, arrivedAtMs: number) => void;

/**
 * Reads the topic in the monitor's own consumer group and reports the probes this monitor wrote.
 * It starts from the beginning on its first run so it cannot miss its first probes; business
 * messages are skipped on a header test, without parsing.
 */
export class ProbeReader {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    group: string,
    private readonly writerId: string,
    private readonly onArrival: ProbeArrival,
  ) {
    this.consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 500 });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: ({ partition, message }) => {
        const probe = readProbe(message.headers);
        if (probe?.writerId === this.writerId) this.onArrival(partition, probe.sentAtMs, Date.now());
        return Promise.resolve();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
