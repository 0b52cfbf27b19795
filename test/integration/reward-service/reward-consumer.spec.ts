import { probeMessage } from '@redpacket/monitoring';
import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import type { EventProducer } from '@redpacket/kafka';
import { DEAD_LETTER_HEADERS, rewardFor } from '@redpacket/rewards';
import type { Admin } from 'kafkajs';
import { waitForGroupCaughtUp } from '../../../testkit/support/consumer-group';
import { asMessage, orderPurchased } from '../../../testkit/support/events';
import { testKafka } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { expectLedgerConsistent, ledgerOf } from '../../../testkit/support/rewards-ledger';
import {
  type ConsumingRewardService,
  type RewardServiceUnderTest,
  startConsumingRewardService,
} from '../../../testkit/support/reward-service.harness';
import { TopicReader } from '../../../testkit/support/topic-reader';

describe('the reward service consuming order.purchased', () => {
  const namespace = testNamespace(__filename);
  const topic = namespaced(namespace, TOPICS.orderPurchased);
  const group = namespaced(namespace, CONSUMER_GROUPS.rewardService);
  const kafka = testKafka();
  let service: RewardServiceUnderTest;
  let producer: EventProducer;
  let admin: Admin;
  let fixture: ConsumingRewardService;

  beforeAll(async () => {
    fixture = await startConsumingRewardService(kafka, { KAFKA_NAMESPACE: namespace });
    ({ service, producer, admin } = fixture);
  });
  afterAll(() => fixture.close());

  it('grants one packet and one credit when the same event is delivered five times', async () => {
    const event = orderPurchased();
    const duplicatesBefore = service.grants.stats.duplicates;
    await producer.send(
      topic,
      Array.from({ length: 5 }, () => asMessage(event)),
    );
    await waitForGroupCaughtUp(admin, group, topic);

    await expectLedgerConsistent(service.dataSource, event.userId, {
      orderIds: [event.orderId],
      amountsCents: [rewardFor(event)],
    });
    expect((await ledgerOf(service.dataSource, event.userId)).walletVersion).toBe(1);
    expect(service.grants.stats.duplicates - duplicatesBefore).toBe(4);
  });

  it('records an ineligible order as processed and grants nothing', async () => {
    const event = orderPurchased({ itemCount: 2 });
    await producer.send(topic, [asMessage(event), asMessage(event)]);
    await waitForGroupCaughtUp(admin, group, topic);
    await expectLedgerConsistent(service.dataSource, event.userId, { orderIds: [] });
    const [row] = await service.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM rewards.processed_messages WHERE consumer_group = $1 AND event_id = $2',
      [group, event.eventId],
    );
    expect(Number(row.n)).toBe(1);
  });

  it('grants every order of a user delivered in one burst, each once, with an exact balance', async () => {
    const userId = `burst-${namespace}`;
    const events = Array.from({ length: 30 }, () => orderPurchased({ userId }));
    await producer.send(
      topic,
      [...events, ...events.slice(0, 10)].map((e) => asMessage(e)),
    );
    await waitForGroupCaughtUp(admin, group, topic);
    await expectLedgerConsistent(service.dataSource, userId, {
      orderIds: events.map((e) => e.orderId),
      amountsCents: events.map((e) => rewardFor(e)),
    });
  });

  it('dead-letters poison messages and keeps processing the ones behind them on the same partition', async () => {
    const userId = `poison-${namespace}`;
    const good = orderPurchased({ userId });
    const missingEventId: Partial<ReturnType<typeof orderPurchased>> = orderPurchased({ userId });
    delete missingEventId.eventId;
    const poison = [
      { key: userId, value: '{"not": json', headers: asMessage(good).headers },
      asMessage(orderPurchased({ userId }), { 'schema-version': '2' }),
      { ...asMessage(good), value: JSON.stringify(missingEventId) },
      asMessage(orderPurchased({ userId, totalCents: -5 })),
    ];
    const dlqReader = await TopicReader.start(
      kafka,
      namespaced(namespace, TOPICS.orderPurchasedDeadLetter),
      `${namespace}.dlq`,
    );
    try {
      await producer.send(
        topic,
        [...poison, asMessage(good)].map((m) => ({ ...m, partition: 0 })),
      );
      await waitForGroupCaughtUp(admin, group, topic);

      await expectLedgerConsistent(service.dataSource, userId, { orderIds: [good.orderId] });
      await dlqReader.waitFor('4 dead letters', (messages) => messages.length === 4);
      const codes = dlqReader.messages.map((m) => m.headers?.[DEAD_LETTER_HEADERS.errorCode]?.toString());
      expect(codes).toEqual(['INVALID_JSON', 'UNKNOWN_SCHEMA_VERSION', 'CONTRACT_VIOLATION', 'CONTRACT_VIOLATION']);
      expect(dlqReader.messages[0].value?.toString()).toBe('{"not": json');
      expect(dlqReader.messages[0].key?.toString()).toBe(userId);
      expect(dlqReader.messages[0].headers?.[DEAD_LETTER_HEADERS.sourceTopic]?.toString()).toBe(topic);
    } finally {
      await dlqReader.stop();
    }
  });

  it('drops probe messages from business logic', async () => {
    const probesBefore = service.consumer.stats.probes;
    await producer.send(topic, [probeMessage('test', 0, Date.now())]);
    await waitForGroupCaughtUp(admin, group, topic);
    expect(service.consumer.stats.probes - probesBefore).toBe(1);
    expect(service.consumer.stats.deadLettered).toBe(4);
  });
});
