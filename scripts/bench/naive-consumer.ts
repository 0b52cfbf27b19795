import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';

export interface NaiveDrain {
  messages: number;
  /** From the first message handled to the last one. */
  spanMs: number;
}

/**
 * The at-least-once upper bound: a plain kafkajs consumer with auto-commit that credits the wallet
 * with one UPDATE per message, with no dedup, no packet row, no outbox, no transaction block.
 */
export async function drainNaively(
  kafka: Kafka,
  options: { topic: string; groupId: string; databaseUrl: string; expected: number; partitions: number },
): Promise<NaiveDrain> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: 20 });
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100 });
  let first = 0;
  let handled = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    return await new Promise<NaiveDrain>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`naive consumer handled ${handled}/${options.expected} messages`)),
        120_000 + options.expected * 50,
      );
      consumer
        .run({
          autoCommit: true,
          partitionsConsumedConcurrently: options.partitions,
          eachMessage: async ({ message }) => {
            if (first === 0) first = performance.now();
            const event = JSON.parse(message.value?.toString() ?? '{}') as { userId: string };
            await pool.query(
              `UPDATE rewards.wallets SET balance_cents = balance_cents + 250, version = version + 1, updated_at = now()
                WHERE user_id = $1`,
              [event.userId],
            );
            if (++handled === options.expected) {
              clearTimeout(timer);
              resolve({ messages: handled, spanMs: performance.now() - first });
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await pool.end();
  }
}
