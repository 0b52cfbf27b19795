import { probeMessage } from '@redpacket/monitoring';
import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import type { EventProducer } from '@redpacket/kafka';
import { rewardFor } from '@redpacket/rewards';
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

describe('the reward service granting in batches (REWARD_BATCH_GRANTS=true)', () => {
  const namespace = testNamespace(__filename);
  const topic = namespaced(namespace, TOPICS.orderPurchased);
  const group = namespaced(namespace, CONSUMER_GROUPS.rewardService);
  const kafka = testKafka();
  let service: RewardServiceUnderTest;
  let producer: EventProducer;
  let admin: Admin;
  let fixture: ConsumingRewardService;

  beforeAll(async () => {
    fixture = await startConsumingRewardService(kafka, {
      KAFKA_NAMESPACE: namespace,
      REWARD_BATCH_GRANTS: 'true',
      REWARD_BATCH_SIZE: '40',
    });
    ({ service, producer, admin } = fixture);
  });
  afterAll(() => fixture.close());

  it('grants one packet per qualifying order and exact balances when every event is delivered twice', async () => {
    const users = Array.from({ length: 12 }, (_, i) => `batched-${i}-${namespace}`);
    const events = Array.from({ length: 300 }, (_, i) =>
      orderPurchased({ userId: users[i % users.length], itemCount: i % 7 === 0 ? 2 : 3 }),
    );
    const before = { ...service.grants.stats };
    const probe = probeMessage('test', 0, Date.now());
    const poison = { key: users[0], value: '{"not": json', headers: asMessage(events[0]).headers };

    await producer.send(topic, [...events.map((e) => asMessage(e)), probe, poison]);
    await producer.send(
      topic,
      [...events].reverse().map((e) => asMessage(e)),
    );
    await waitForGroupCaughtUp(admin, group, topic);

    for (const userId of users) {
      const qualifying = events.filter((e) => e.userId === userId && e.itemCount >= 3);
      await expectLedgerConsistent(service.dataSource, userId, {
        orderIds: qualifying.map((e) => e.orderId),
        amountsCents: qualifying.map((e) => rewardFor(e)),
      });
    }
    const ineligible = events.filter((e) => e.itemCount < 3).length;
    expect(service.grants.stats.granted - before.granted).toBe(events.length - ineligible);
    expect(service.grants.stats.ineligible - before.ineligible).toBe(ineligible);
    expect(service.grants.stats.duplicates - before.duplicates).toBe(events.length);
    expect(service.consumer.stats).toMatchObject({ deadLettered: 1, probes: 1 });
    // Credited per batch, not per message: the wallets moved fewer times than packets were granted.
    const ledgers = await Promise.all(users.map((userId) => ledgerOf(service.dataSource, userId)));
    const versions = ledgers.reduce((sum, ledger) => sum + ledger.walletVersion, 0);
    expect(versions).toBeLessThan(events.length - ineligible);
  });
});
