import type { OrderPurchasedV1 } from '@redpacket/contracts';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { pollUntil } from '../../testkit/infra/process-utils';
import { asMessage, orderPurchased } from '../../testkit/support/events';

/**
 * N qualifying OrderPurchased events over N/5 users. The k-th event of a user carries wallet
 * version k, as if each order was placed after the previous packet: then `version-in-message`
 * grants every one of them too and all strategies do the same work.
 */
export function rewardBacklog(userPrefix: string, events: number): OrderPurchasedV1[] {
  const users = Math.max(1, Math.ceil(events / 5));
  return Array.from({ length: events }, (_, i) =>
    orderPurchased({ userId: `${userPrefix}-u${i % users}`, itemCount: 3, walletVersion: Math.floor(i / users) }),
  );
}

export async function produceBacklog(kafka: Kafka, topic: string, events: OrderPurchasedV1[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: events.slice(i, i + 500).map((event) => asMessage(event)) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Wallets exist before the clock starts, so the naive consumer's UPDATE always finds its row. */
export async function createWallets(dataSource: DataSource, events: OrderPurchasedV1[]): Promise<void> {
  const users = [...new Set(events.map((event) => event.userId))];
  await dataSource.query('INSERT INTO rewards.wallets (user_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [
    users,
  ]);
}

export interface GrantSpan {
  packets: number;
  /** From the first packet's grant to the last one's, by the database clock. */
  spanMs: number;
}

/** Waits until `expected` packets are committed, then reads how long granting them took. */
export async function waitForPackets(dataSource: DataSource, expected: number): Promise<GrantSpan> {
  return pollUntil(
    `${expected} red packets to be committed`,
    async () => {
      const [row] = await dataSource.query<{ n: string; span_ms: string | null }[]>(
        `SELECT count(*) AS n, extract(epoch FROM max(granted_at) - min(granted_at)) * 1000 AS span_ms
           FROM rewards.red_packets`,
      );
      return Number(row.n) >= expected ? { packets: Number(row.n), spanMs: Number(row.span_ms) } : undefined;
    },
    { timeoutMs: 120_000 + expected * 50, intervalMs: 100 },
  );
}
