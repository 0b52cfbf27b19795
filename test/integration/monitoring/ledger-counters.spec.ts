import { randomUUID } from 'node:crypto';
import { LedgerCounters, SETTLE_SECONDS } from '@redpacket/monitoring';
import { DataSource } from 'typeorm';
import { createMigratedDatabase } from '../../../testkit/support/test-database';

/** The monitor's ledger totals, on a database of their own: exact, and history is read once. */
describe('the ledger counters', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createMigratedDatabase('ledger_counters');
    dataSource = await new DataSource({ type: 'postgres', url: database.url, poolSize: 4 }).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** An order and, when `cents` is given, its packet, both stamped `agoSeconds` before the database's now. */
  async function record(agoSeconds: number, cents?: number): Promise<void> {
    const orderId = randomUUID();
    const at = `now() - make_interval(secs => ${agoSeconds})`;
    await dataSource.query(
      `INSERT INTO ordering.orders (order_id, user_id, item_count, total_cents, status, created_at)
       VALUES ($1, 'u-ledger', 1, 1000, 'PLACED', ${at})`,
      [orderId],
    );
    if (cents === undefined) return;
    await dataSource.query(
      `INSERT INTO rewards.red_packets (packet_id, order_id, user_id, amount_cents, source, granted_at)
       VALUES ($1, $2, 'u-ledger', $3, 'event', ${at})`,
      [randomUUID(), orderId, cents],
    );
  }

  it('counts history once, then only the settle window, and stays exact as rows arrive', async () => {
    const counters = new LedgerCounters(dataSource);
    // History: two hours old, far behind the window.
    for (let i = 0; i < 5; i += 1) await record(7_200, 100 + i);
    await record(7_200);
    // Inside the window, and ones that settle between readings.
    await record(SETTLE_SECONDS / 2, 7);
    expect(await counters.read()).toEqual({ orders: 7, packetsGranted: 6, grantedCents: String(510 + 7) });

    await record(0, 1_000_000_000_000);
    await record(0);
    expect(await counters.read()).toEqual({
      orders: 9,
      packetsGranted: 7,
      grantedCents: String(517 + 1_000_000_000_000),
    });

    // Two readings at once add the settled rows once.
    const [first, second] = await Promise.all([counters.read(), counters.read()]);
    expect(first).toEqual(second);
    expect(second.orders).toBe(9);

    // A row stamped before the settled boundary is not read again: what is behind the window is never
    // scanned twice. (No order or grant transaction commits that late; this one is written by hand.)
    await record(7_200, 5);
    expect((await counters.read()).orders).toBe(9);
    // A fresh counter reads the history once and sees it.
    expect(await new LedgerCounters(dataSource).read()).toEqual({
      orders: 10,
      packetsGranted: 8,
      grantedCents: String(522 + 1_000_000_000_000),
    });
  });
});
