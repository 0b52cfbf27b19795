import { Logger } from '@nestjs/common';
import { createKafkaClient } from '@redpacket/kafka';
import type { Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';

export function testKafka(clientId = 'redpacket-test', brokers?: string[]): Kafka {
  return createKafkaClient({
    brokers: brokers ?? (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId,
    logger: new Logger('KafkaTest'),
    logLevel: 'error',
  });
}

export type ReceivedMessage = KafkaMessage & { topic: string; partition: number };

/**
 * Subscribes and resolves once `count` messages have arrived, or rejects at the deadline
 * with what did arrive. `onMessage` runs before a message is counted (commit offsets there).
 */
export async function consumeMessages(
  consumer: Consumer,
  topic: string,
  count: number,
  options: { timeoutMs?: number; onMessage?: (payload: EachMessagePayload) => Promise<void> } = {},
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const timeoutMs = options.timeoutMs ?? 30_000;
  await consumer.subscribe({ topic, fromBeginning: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`expected ${count} message(s) on ${topic} within ${timeoutMs} ms, got ${received.length}`)),
      timeoutMs,
    );
    consumer
      .run({
        autoCommit: false,
        eachMessage: async (payload) => {
          await options.onMessage?.(payload);
          received.push({ ...payload.message, topic: payload.topic, partition: payload.partition });
          if (received.length === count) {
            clearTimeout(timer);
            resolve(received);
          }
        },
      })
      .catch(reject);
  });
}
