import type { DataSource } from 'typeorm';

export interface UserLedger {
  packets: { orderId: string; amountCents: number; source: string }[];
  walletCents: number;
  walletVersion: number;
}

export async function ledgerOf(dataSource: DataSource, userId: string): Promise<UserLedger> {
  const packets = await dataSource.query<{ order_id: string; amount_cents: string; source: string }[]>(
    'SELECT order_id, amount_cents, source FROM rewards.red_packets WHERE user_id = $1 ORDER BY granted_at',
    [userId],
  );
  const [wallet] = await dataSource.query<{ balance_cents: string; version: string }[]>(
    'SELECT balance_cents, version FROM rewards.wallets WHERE user_id = $1',
    [userId],
  );
  return {
    packets: packets.map((p) => ({ orderId: p.order_id, amountCents: Number(p.amount_cents), source: p.source })),
    walletCents: Number(wallet?.balance_cents ?? 0),
    walletVersion: Number(wallet?.version ?? 0),
  };
}

/**
 * The invariant every scenario ends with: one packet per order given, each with its recorded granted decision
 * of the same amount, and the wallet is their sum.
 */
export async function expectLedgerConsistent(
  dataSource: DataSource,
  userId: string,
  expected: { orderIds: string[]; amountsCents?: number[] },
): Promise<void> {
  const ledger = await ledgerOf(dataSource, userId);
  expect(ledger.packets.map((p) => p.orderId).sort()).toEqual([...expected.orderIds].sort());
  const sum = ledger.packets.reduce((total, p) => total + p.amountCents, 0);
  expect(ledger.walletCents).toBe(sum);
  if (expected.amountsCents) expect(sum).toBe(expected.amountsCents.reduce((a, b) => a + b, 0));
  const undecided = await dataSource.query<{ order_id: string }[]>(
    `SELECT p.order_id FROM rewards.red_packets p LEFT JOIN rewards.reward_decisions d USING (order_id)
      WHERE p.user_id = $1 AND (d.order_id IS NULL OR d.outcome <> 'granted' OR d.amount_cents <> p.amount_cents)`,
    [userId],
  );
  expect(undecided).toEqual([]);
}

/** The recorded decision of an order, if any. */
export async function decisionOf(
  dataSource: DataSource,
  orderId: string,
): Promise<{ outcome: string; ruleVersion: number; amountCents: number; source: string } | undefined> {
  const [row] = await dataSource.query<
    { outcome: string; rule_version: number; amount_cents: string; source: string }[]
  >('SELECT outcome, rule_version, amount_cents, source FROM rewards.reward_decisions WHERE order_id = $1', [orderId]);
  return (
    row && {
      outcome: row.outcome,
      ruleVersion: row.rule_version,
      amountCents: Number(row.amount_cents),
      source: row.source,
    }
  );
}
