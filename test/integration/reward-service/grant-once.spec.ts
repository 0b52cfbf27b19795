import { newEventId } from '@redpacket/contracts';
import { classifyError } from '@redpacket/errors';
import { rewardFor } from '@redpacket/rewards';
import { asGrantRequest, orderPurchased } from '../../../testkit/support/events';
import { testNamespace } from '../../../testkit/support/namespace';
import { expectLedgerConsistent } from '../../../testkit/support/rewards-ledger';
import { type RewardServiceUnderTest, startGrantPath } from '../../../testkit/support/reward-service.harness';

describe('grantOnce', () => {
  let service: RewardServiceUnderTest;

  beforeAll(async () => {
    service = await startGrantPath(testNamespace(__filename));
  });
  afterAll(() => service.close());

  it('gives two packets and an exact balance when different orders of one user are granted at the same moment', async () => {
    const userId = `hot-${newEventId()}`;
    const events = Array.from({ length: 20 }, () => orderPurchased({ userId }));
    const retriesBefore = service.grants.stats.optimisticRetries;

    const outcomes = await Promise.all(events.map((e) => service.grants.grantOnce(asGrantRequest(e))));

    expect(outcomes.every((o) => o === 'granted')).toBe(true);
    await expectLedgerConsistent(service.dataSource, userId, {
      orderIds: events.map((e) => e.orderId),
      amountsCents: events.map((e) => rewardFor(e)),
    });
    expect(service.grants.stats.optimisticRetries - retriesBefore).toBeGreaterThan(0);
  });

  it('gives one packet when the event and a reconciliation grant the same order at once', async () => {
    const event = orderPurchased();
    const outcomes = await Promise.all([
      service.grants.grantOnce(asGrantRequest(event)),
      service.grants.grantOnce(asGrantRequest(event, 'reconciliation')),
    ]);
    expect(outcomes.sort()).toEqual(['already-decided', 'granted']);
    await expectLedgerConsistent(service.dataSource, event.userId, { orderIds: [event.orderId] });
  });

  it('writes RedPacketGranted to the reward service outbox in the grant transaction', async () => {
    const event = orderPurchased();
    await service.grants.grantOnce(asGrantRequest(event));
    const rows = await service.dataSource.query<
      { event_type: string; payload: { orderId: string; amountCents: number } }[]
    >(`SELECT event_type, payload FROM rewards.outbox WHERE payload->>'orderId' = $1`, [event.orderId]);
    expect(rows).toEqual([
      {
        event_type: 'RedPacketGranted',
        payload: expect.objectContaining({ orderId: event.orderId, amountCents: rewardFor(event) }),
      },
    ]);
  });

  it.each([
    ['a NUL byte in the user id', { userId: 'nul\u0000user' }, 'PG_22021'],
    ['an order id that is not a UUID', { orderId: 'order-42' }, 'PG_22P02'],
  ])('fails as poison, changing nothing, when Postgres refuses %s', async (_what, values, code) => {
    // Past the event contract, which refuses both: the database's own refusal must be poison too.
    const event = orderPurchased(values);
    const failure: unknown = await service.grants.grantOnce(asGrantRequest(event)).catch((e: unknown) => e);
    expect(classifyError(failure)).toEqual({ code, retriable: false });
    const [row] = await service.dataSource.query<{ processed: string; packets: string }[]>(
      `SELECT (SELECT count(*) FROM rewards.processed_messages WHERE event_id = $1) AS processed,
              (SELECT count(*) FROM rewards.red_packets WHERE event_id = $1) AS packets`,
      [event.eventId],
    );
    expect(row).toEqual({ processed: '0', packets: '0' });
  });
});
