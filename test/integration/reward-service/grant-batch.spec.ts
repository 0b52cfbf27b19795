import { newEventId, type OrderPurchasedV1 } from '@redpacket/contracts';
import { type GrantRequest, rewardFor } from '@redpacket/rewards';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { asGrantRequest, orderPurchased } from '../../../testkit/support/events';
import { testNamespace } from '../../../testkit/support/namespace';
import { expectLedgerConsistent, ledgerOf } from '../../../testkit/support/rewards-ledger';
import { type RewardServiceUnderTest, startGrantPath } from '../../../testkit/support/reward-service.harness';

const asRequest = (event: OrderPurchasedV1): GrantRequest => asGrantRequest(event);

describe('grantBatch', () => {
  let service: RewardServiceUnderTest;

  beforeAll(async () => {
    service = await startGrantPath(testNamespace(__filename));
  });
  afterAll(() => service.close());

  const grantBatch = (events: OrderPurchasedV1[]) => service.grants.grantBatch(events.map(asRequest));

  /** A concurrent writer: bumps the wallet's version in a transaction left open until `commit`. */
  async function holdWalletUpdate(userId: string) {
    const runner = service.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query('UPDATE rewards.wallets SET version = version + 1 WHERE user_id = $1', [userId]);
    const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    return {
      waitUntilBlocking: () =>
        pollUntil(
          'the batch to wait for the open wallet update',
          async () => {
            const rows = await service.dataSource.query<unknown[]>(
              'SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
              [pid],
            );
            return rows.length > 0 ? true : undefined;
          },
          { timeoutMs: 10_000, intervalMs: 20 },
        ),
      commit: async () => {
        await runner.commitTransaction();
        await runner.release();
      },
    };
  }

  it('grants each event once when it repeats inside a batch and again in a later batch', async () => {
    const userId = `dup-${newEventId()}`;
    const [a, b, c, d] = Array.from({ length: 4 }, () => orderPurchased({ userId }));

    expect(await grantBatch([a, b, a, c])).toEqual(['granted', 'granted', 'duplicate-message', 'granted']);
    expect(await grantBatch([b, c, d, d])).toEqual([
      'duplicate-message',
      'duplicate-message',
      'granted',
      'duplicate-message',
    ]);

    await expectLedgerConsistent(service.dataSource, userId, {
      orderIds: [a, b, c, d].map((e) => e.orderId),
      amountsCents: [a, b, c, d].map((e) => rewardFor(e)),
    });
  });

  it('records an ineligible order as processed and grants it nothing', async () => {
    const userId = `small-${newEventId()}`;
    const ineligible = orderPurchased({ userId, itemCount: 2 });
    const eligible = orderPurchased({ userId });

    expect(await grantBatch([ineligible, eligible])).toEqual(['ineligible', 'granted']);
    expect(await grantBatch([ineligible])).toEqual(['duplicate-message']);

    await expectLedgerConsistent(service.dataSource, userId, { orderIds: [eligible.orderId] });
  });

  it('leaves an order granted by reconciliation alone, and grants two events of one order once', async () => {
    const userId = `recon-${newEventId()}`;
    const reconciled = orderPurchased({ userId });
    await service.grants.grantOnce(asGrantRequest(reconciled, 'reconciliation'));
    const order = orderPurchased({ userId });
    const sameOrderAgain = { ...order, eventId: newEventId() };

    expect(await grantBatch([reconciled, order, sameOrderAgain])).toEqual([
      'already-decided',
      'granted',
      'already-decided',
    ]);

    await expectLedgerConsistent(service.dataSource, userId, {
      orderIds: [reconciled.orderId, order.orderId],
      amountsCents: [rewardFor(reconciled), rewardFor(order)],
    });
    const sources = (await ledgerOf(service.dataSource, userId)).packets.map((p) => p.source);
    expect(sources).toEqual(['reconciliation', 'event']);
  });

  it('credits the sum of a user’s orders in a batch, bumping the wallet version once per batch', async () => {
    const userId = `sum-${newEventId()}`;
    const first = Array.from({ length: 5 }, () => orderPurchased({ userId }));
    const second = Array.from({ length: 2 }, () => orderPurchased({ userId }));

    await grantBatch(first);
    expect(await ledgerOf(service.dataSource, userId)).toMatchObject({
      walletCents: first.reduce((sum, e) => sum + rewardFor(e), 0),
      walletVersion: 1,
    });
    await grantBatch(second);

    expect((await ledgerOf(service.dataSource, userId)).walletVersion).toBe(2);
    await expectLedgerConsistent(service.dataSource, userId, {
      orderIds: [...first, ...second].map((e) => e.orderId),
      amountsCents: [...first, ...second].map((e) => rewardFor(e)),
    });
  });

  it('grants every packet once and exact balances when batches race on the same wallets', async () => {
    const users = Array.from({ length: 5 }, (_, i) => `race-${i}-${newEventId()}`);
    const events = (count: number) => Array.from({ length: count }, (_, i) => orderPurchased({ userId: users[i % 5] }));
    const batches = Array.from({ length: 4 }, () => events(20));

    const outcomes = await Promise.all(batches.map(grantBatch));

    expect(outcomes.flat().every((o) => o === 'granted')).toBe(true);
    for (const userId of users) {
      const own = batches.flat().filter((e) => e.userId === userId);
      await expectLedgerConsistent(service.dataSource, userId, {
        orderIds: own.map((e) => e.orderId),
        amountsCents: own.map((e) => rewardFor(e)),
      });
    }
  });

  it('rolls the whole batch back and retries it when another writer moves a wallet before its update', async () => {
    const userId = `moved-${newEventId()}`;
    const earlier = orderPurchased({ userId });
    await grantBatch([earlier]);
    const events = [orderPurchased({ userId }), orderPurchased({ userId: `bystander-${newEventId()}` })];
    const retriesBefore = service.grants.stats.optimisticRetries;

    const writer = await holdWalletUpdate(userId);
    const batch = grantBatch(events);
    await writer.waitUntilBlocking();
    await writer.commit();

    expect(await batch).toEqual(['granted', 'granted']);
    expect(service.grants.stats.optimisticRetries - retriesBefore).toBe(1);
    expect((await ledgerOf(service.dataSource, userId)).walletVersion).toBe(3);
    await expectLedgerConsistent(service.dataSource, events[1].userId, { orderIds: [events[1].orderId] });
    await expectLedgerConsistent(service.dataSource, userId, {
      orderIds: [earlier.orderId, events[0].orderId],
      amountsCents: [rewardFor(earlier), rewardFor(events[0])],
    });
  });

  it('grants a delivery once when two batches holding it race', async () => {
    const userId = `shared-${newEventId()}`;
    const [left, right, shared] = [1, 2, 3].map(() => Array.from({ length: 5 }, () => orderPurchased({ userId })));

    const outcomes = await Promise.all([
      grantBatch([...left, ...shared]),
      grantBatch([...shared].reverse().concat(right)),
    ]);

    expect(outcomes.flat().filter((o) => o === 'granted')).toHaveLength(15);
    expect(outcomes.flat().filter((o) => o === 'duplicate-message')).toHaveLength(5);
    await expectLedgerConsistent(service.dataSource, userId, {
      orderIds: [...left, ...right, ...shared].map((e) => e.orderId),
      amountsCents: [...left, ...right, ...shared].map((e) => rewardFor(e)),
    });
  });

  it('writes one RedPacketGranted per granted packet to the outbox, in the batch transaction', async () => {
    const events = Array.from({ length: 3 }, () => orderPurchased());
    await grantBatch([...events, events[0]]);

    const rows = await service.dataSource.query<{ order_id: string; amount_cents: number }[]>(
      `SELECT payload->>'orderId' AS order_id, (payload->>'amountCents')::int AS amount_cents
         FROM rewards.outbox WHERE event_type = 'RedPacketGranted' AND payload->>'orderId' = ANY($1)`,
      [events.map((e) => e.orderId)],
    );
    expect(rows.map((r) => [r.order_id, r.amount_cents]).sort()).toEqual(
      events.map((e) => [e.orderId, rewardFor(e)]).sort(),
    );
  });
});
