import type { ScenarioOutcome } from '../../testkit/system/outcome';

/** What step 1 saw of the Idempotency-Key: keys used, orders they made, second answers that were replays. */
export interface KeyCheck {
  keys: number;
  orders: number;
  replayed: number;
}

export interface Invariant {
  claim: string;
  holds: boolean;
}

/** The ledger as measured from the database and the broker, one row per figure. */
export function ledgerTable(outcome: ScenarioOutcome): string[] {
  const rows: [string, number][] = [
    ['orders', outcome.orders],
    ['qualifying orders (3 items or more)', outcome.expected],
    ['red packets', outcome.granted + outcome.wronglyGranted],
    ['  of which for orders that do not qualify', outcome.wronglyGranted],
    ['doubles (credits beyond one per packet)', outcome.double],
    ['missing (qualifying orders without a packet)', outcome.missing],
    ['wallets that differ from the sum of their packets', outcome.walletMismatches],
    ['consumer lag (messages not yet committed)', outcome.lag],
    ['dead letters', outcome.deadLetters],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const rule = `+-${'-'.repeat(width)}-+--------+`;
  return [
    rule,
    `| ${'ledger'.padEnd(width)} |  count |`,
    rule,
    ...rows.map(([label, value]) => `| ${label.padEnd(width)} | ${String(value).padStart(6)} |`),
    rule,
  ];
}

export function invariantsOf(outcome: ScenarioOutcome, keys: KeyCheck): Invariant[] {
  return [
    {
      claim: `one order per Idempotency-Key (${keys.keys} keys, ${keys.orders} orders, ${keys.replayed} replayed answers)`,
      holds: keys.orders === keys.keys && keys.replayed === keys.keys,
    },
    {
      claim: `one packet per qualifying order, paid once (${outcome.granted} of ${outcome.expected}, ${outcome.double} extra credits)`,
      holds: outcome.granted === outcome.expected && outcome.double === 0,
    },
    {
      claim: `no packet for the ${outcome.orders - outcome.expected} orders that do not qualify`,
      holds: outcome.wronglyGranted === 0,
    },
    {
      claim: `every wallet equals the sum of its packets (${outcome.walletMismatches} differ)`,
      holds: outcome.walletMismatches === 0,
    },
    { claim: `nothing lost (${outcome.missing} qualifying orders without a packet)`, holds: outcome.missing === 0 },
    { claim: `consumer lag is 0 (${outcome.lag})`, holds: outcome.lag === 0 },
    { claim: `nothing dead-lettered (${outcome.deadLetters})`, holds: outcome.deadLetters === 0 },
  ];
}

export function invariantLines(invariants: Invariant[]): string[] {
  return invariants.map(({ claim, holds }) => `${holds ? 'PASS' : 'FAIL'}  ${claim}`);
}
