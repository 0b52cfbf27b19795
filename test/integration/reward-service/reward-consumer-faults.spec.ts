import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import { ensureTopics, IdempotentProducer } from '@redpacket/kafka';
import { rewardFor } from '@redpacket/rewards';
import type { Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { type AppProcess, spawnApp } from '../../support/app-process';
import { groupLag, totalLag, waitForGroupCaughtUp } from '../../support/consumer-group';
import { asMessage, orderPurchased } from '../../support/events';
import { testKafka } from '../../support/kafka.helpers';
import { testNamespace } from '../../support/namespace';
import { expectLedgerConsistent } from '../../support/rewards-ledger';
import { pollUntil } from '../../../scripts/infra/process-utils';

/** Each test gets its own topic and group, so a crashed consumer leaves nothing behind for the next. */
describe('the reward service process under faults', () => {
  const kafka = testKafka();
  let producer: IdempotentProducer;
  let admin: Admin;
  let dataSource: DataSource;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    producer = new IdempotentProducer(kafka);
    admin = kafka.admin();
    dataSource = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL }).initialize();
    await Promise.all([producer.connect(), admin.connect()]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill('SIGKILL')));
  });
  afterAll(async () => {
    await Promise.all([producer.disconnect(), admin.disconnect(), dataSource.destroy()]);
  });

  async function scenario(partitions = 1) {
    const namespace = testNamespace(__filename);
    const topic = namespaced(namespace, TOPICS.orderPurchased);
    await ensureTopics(admin, [
      { topic, numPartitions: partitions, replicationFactor: 1 },
      { topic: namespaced(namespace, TOPICS.orderPurchasedDeadLetter), numPartitions: 1, replicationFactor: 1 },
      { topic: namespaced(namespace, TOPICS.redPacketGranted), numPartitions: 1, replicationFactor: 1 },
    ]);
    const start = (env: Record<string, string> = {}) => {
      const app = spawnApp('reward-service', {
        KAFKA_NAMESPACE: namespace,
        ORDER_TOPIC_PARTITIONS: String(partitions),
        REWARD_SESSION_TIMEOUT_MS: '6000',
        OUTBOX_RELAY_ENABLED: 'false',
        ...env,
      });
      running.push(app);
      return app;
    };
    return { namespace, topic, group: namespaced(namespace, CONSUMER_GROUPS.rewardService), start };
  }

  it('grants no second packet and loses nothing when killed after the DB commit and before the offset commit', async () => {
    const { topic, group, start } = await scenario();
    const first = orderPurchased();
    await producer.send(topic, [asMessage(first)]);

    const crashing = start({ FAILPOINTS: 'reward.after-db-commit=crash' });
    expect((await crashing.exited).signal).toBe('SIGKILL');
    await expectLedgerConsistent(dataSource, first.userId, { orderIds: [first.orderId] });
    expect(totalLag(await groupLag(admin, group, topic))).toBe(1n); // the grant committed, the offset did not

    const second = orderPurchased({ userId: first.userId });
    await producer.send(topic, [asMessage(second)]);
    start();
    await waitForGroupCaughtUp(admin, group, topic);
    await expectLedgerConsistent(dataSource, first.userId, {
      orderIds: [first.orderId, second.orderId],
      amountsCents: [rewardFor(first), rewardFor(second)],
    });
  });

  it('commits nothing and grants later when killed in the middle of the grant transaction', async () => {
    const { topic, group, start } = await scenario();
    const event = orderPurchased();
    await producer.send(topic, [asMessage(event)]);

    const crashing = start({ FAILPOINTS: 'grant.before-commit=crash' });
    expect((await crashing.exited).signal).toBe('SIGKILL');
    await expectLedgerConsistent(dataSource, event.userId, { orderIds: [] });

    start();
    await waitForGroupCaughtUp(admin, group, topic);
    await expectLedgerConsistent(dataSource, event.userId, {
      orderIds: [event.orderId],
      amountsCents: [rewardFor(event)],
    });
  });

  it('grants one packet when a rebalance hands an already processed event to a second consumer', async () => {
    const { topic, group, start } = await scenario();
    const event = orderPurchased();
    // The first consumer grants, then stalls before its offset commit for longer than its session:
    // the second one's arrival rebalances the group and the partition, with the event, moves to it.
    // Once: the stall must outlast the successor's boot and join, and must not repeat after the rejoin.
    const stalled = start({ FAILPOINTS: 'consumer.before-offset-commit=delay-once:20000' });
    await producer.send(topic, [asMessage(event)]);
    await pollUntil(
      'the first consumer to grant the packet',
      async () =>
        (await dataSource.query<unknown[]>('SELECT 1 FROM rewards.red_packets WHERE order_id = $1', [event.orderId]))
          .length
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
    const successor = start({ LOG_LEVEL: 'debug' });
    await pollUntil(
      'the second consumer to receive the same event',
      async () => (successor.output().includes('"outcome":"duplicate-message"') ? true : undefined),
      { timeoutMs: 60_000 },
    );
    await waitForGroupCaughtUp(admin, group, topic);
    await pollUntil(
      'the stalled consumer to have its late commit refused',
      async () => (stalled.output().includes('offset commit refused after a rebalance') ? true : undefined),
      { timeoutMs: 60_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- stalled consumer output ---\n${stalled.output().slice(-3000)}`);
    });

    await expectLedgerConsistent(dataSource, event.userId, {
      orderIds: [event.orderId],
      amountsCents: [rewardFor(event)],
    });
  });
});
