import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import { DEAD_LETTER_MAX_MESSAGE_BYTES, ensureTopics, EventProducer } from '@redpacket/kafka';
import { FATAL_EXIT_CODE } from '@redpacket/observability';
import { rewardFor } from '@redpacket/rewards';
import { type Admin, ConfigResourceTypes } from 'kafkajs';
import { DataSource } from 'typeorm';
import { type AppProcess, spawnApp } from '../../../testkit/support/app-process';
import { groupLag, totalLag, waitForGroupCaughtUp } from '../../../testkit/support/consumer-group';
import { asMessage, orderPurchased } from '../../../testkit/support/events';
import { testKafka, testProducer } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { expectLedgerConsistent } from '../../../testkit/support/rewards-ledger';
import { pollUntil } from '../../../testkit/infra/process-utils';

/** Each test gets its own topic and group, so a crashed consumer leaves nothing behind for the next. */
describe('the reward service process under faults', () => {
  const kafka = testKafka();
  let producer: EventProducer;
  let admin: Admin;
  let dataSource: DataSource;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    producer = testProducer();
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
    const deadLetterTopic = namespaced(namespace, TOPICS.orderPurchasedDeadLetter);
    return { namespace, topic, deadLetterTopic, group: namespaced(namespace, CONSUMER_GROUPS.rewardService), start };
  }

  async function deadLetterCount(deadLetterTopic: string): Promise<number> {
    const [end] = await admin.fetchTopicOffsets(deadLetterTopic);
    return Number(end.high);
  }

  function setMaxMessageBytes(topic: string, bytes: number) {
    return admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'max.message.bytes', value: String(bytes) }],
        },
      ],
    });
  }

  async function processedCount(group: string, eventIds: string[]): Promise<number> {
    const [row] = await dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM rewards.processed_messages WHERE consumer_group = $1 AND event_id = ANY($2)',
      [group, eventIds],
    );
    return Number(row.n);
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

  it('on SIGTERM in the middle of a batch granted per message, commits exactly the prefix that finished', async () => {
    const { topic, group, start } = await scenario();
    const events = Array.from({ length: 20 }, () => orderPurchased());
    await producer.send(
      topic,
      events.map((e) => asMessage(e)),
    );
    // One message at a time, each grant held open a little: the batch of 20 is in hand for seconds.
    const consumer = start({
      REWARD_BATCH_GRANTS: 'false',
      REWARD_CONCURRENCY: '1',
      FAILPOINTS: 'grant.before-commit=delay:250',
    });
    const eventIds = events.map((e) => e.eventId);
    await pollUntil('three events granted', async () => (await processedCount(group, eventIds)) >= 3 || undefined, {
      timeoutMs: 60_000,
    });

    await consumer.kill('SIGTERM');

    const finished = await processedCount(group, eventIds);
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(finished).toBeLessThan(events.length);
    expect(offsets.partitions[0].offset).toBe(String(finished));
  });

  it('exits non-zero when the dead-letter topic refuses a poison message, and parks it once restarted after the fix', async () => {
    const { topic, deadLetterTopic, group, start } = await scenario();
    await setMaxMessageBytes(deadLetterTopic, 100);
    const good = orderPurchased();
    await producer.send(topic, [{ ...asMessage(good), value: '{"not": json' }, asMessage(good)]);

    const refused = start();
    expect((await refused.exited).code).toBe(FATAL_EXIT_CODE);
    expect(refused.output()).toContain('failed for good');
    expect(totalLag(await groupLag(admin, group, topic))).toBe(2n);

    await setMaxMessageBytes(deadLetterTopic, DEAD_LETTER_MAX_MESSAGE_BYTES);
    start();
    await waitForGroupCaughtUp(admin, group, topic);
    expect(await deadLetterCount(deadLetterTopic)).toBe(1);
    await expectLedgerConsistent(dataSource, good.userId, {
      orderIds: [good.orderId],
      amountsCents: [rewardFor(good)],
    });
  });

  it('dead-letters poison once when the batch grant of its chunk fails and the partition is fetched again', async () => {
    const { topic, deadLetterTopic, group, start } = await scenario();
    const events = [orderPurchased(), orderPurchased()];
    await producer.send(topic, [
      { ...asMessage(events[0]), value: '{"not": json' },
      ...events.map((e) => asMessage(e)),
    ]);

    const consumer = start({ REWARD_BATCH_GRANTS: 'true', FAILPOINTS: 'grant.before-commit=error-once' });
    await waitForGroupCaughtUp(admin, group, topic);

    expect(consumer.output()).toContain('retriable failure; partition paused for a retry');
    expect(await deadLetterCount(deadLetterTopic)).toBe(1);
    for (const event of events) {
      await expectLedgerConsistent(dataSource, event.userId, {
        orderIds: [event.orderId],
        amountsCents: [rewardFor(event)],
      });
    }
  });
});
