import { failpoint } from '@redpacket/failpoints';
import type { EntityManager } from 'typeorm';
import { rewardFor } from '../../domain/reward-rule';
import type { GrantContext } from '../grant-context';
import type { GrantOutcome, RuledRequest } from '../grant.types';
import { type GrantedPacket, outcomeOfDecision } from '../reward-decision.repository';

/** A request of the batch on its way through the steps; `index` is its place in the input. */
interface Candidate {
  index: number;
  request: RuledRequest;
}
interface Priced extends Candidate {
  amountCents: number;
}
interface Granted extends Priced {
  packet: GrantedPacket;
}

/**
 * inbox-tx for many messages at once: the same four steps, each one multi-row statement, all in ONE
 * transaction, so the batch commits whole or not at all and every guarantee of the per-message path holds.
 * 1. inbox rows for every event id — ids already there (or repeated in the batch) are redeliveries;
 * 2. decisions for every order under the rule of its time, with packets for the granted ones — orders decided
 *    before (or repeated in the batch) stop there;
 * 3. each wallet credited with the sum of its new packets under the version check — a lost race rolls the
 *    whole batch back and retries it; a wallet's version goes up once per batch, not once per packet;
 * 4. one RedPacketGranted per packet into the outbox.
 */
export class InboxTransactionBatch {
  constructor(private readonly context: GrantContext) {}

  /** Outcomes in input order, as if each request had been granted alone, one after another. */
  grant(requests: RuledRequest[]): Promise<GrantOutcome[]> {
    if (requests.length === 0) return Promise.resolve([]);
    // `UPDATE … FROM unnest` locks wallets in whatever order the plan visits them, so two batches sharing
    // wallets can deadlock; Postgres aborts one, and it is retried like a failed version check.
    return this.context.withOptimisticRetry(() =>
      this.context.transactions.run((manager) => this.attempt(manager, requests)),
    );
  }

  private async attempt(manager: EntityManager, requests: RuledRequest[]): Promise<GrantOutcome[]> {
    const outcomes: GrantOutcome[] = [];
    const fresh = await this.recordInbox(manager, requests, outcomes);
    const granted = await this.decide(manager, this.price(fresh), outcomes);
    await this.context.wallets.creditMany(manager, sumByUser(granted));
    await this.context.outbox.append(
      ...granted.map((g) => this.context.grantedEvent(g.request, g.amountCents, g.packet)),
    );
    await failpoint('grant.before-commit');
    return outcomes;
  }

  /** Step 1; returns the requests that are not redeliveries. Reconciliation requests carry no id and pass. */
  private async recordInbox(manager: EntityManager, requests: RuledRequest[], outcomes: GrantOutcome[]) {
    const candidates = requests.map((request, index) => ({ index, request }));
    const eventIdOf = (c: Candidate) => c.request.eventId?.toLowerCase() ?? '';
    const [first, repeated] = splitFirstByKey(
      candidates.filter((c) => c.request.eventId),
      eventIdOf,
    );
    const { processed, settings } = this.context;
    const recorded = await processed.markManyProcessed(
      manager,
      settings.consumerGroup,
      first.map((c) => ({ eventId: eventIdOf(c), delivery: c.request.delivery })),
    );
    await processed.countRedeliveries(manager, settings.consumerGroup, repeated.map(eventIdOf));
    const redelivered = first.filter((c) => !recorded.has(eventIdOf(c)));
    for (const c of [...repeated, ...redelivered]) outcomes[c.index] = 'duplicate-message';
    return candidates.filter((c) => outcomes[c.index] === undefined);
  }

  /** Step 1½: the pure rule of each order's time; 0 for an order that does not qualify. */
  private price(candidates: Candidate[]): Priced[] {
    return candidates.map((c) => ({ ...c, amountCents: rewardFor(c.request, c.request.rule) }));
  }

  /** Step 2; returns the packets granted now. */
  private async decide(manager: EntityManager, priced: Priced[], outcomes: GrantOutcome[]) {
    const orderIdOf = (c: Candidate) => c.request.orderId.toLowerCase();
    const [first, repeated] = splitFirstByKey(priced, orderIdOf);
    const decided = await this.context.decisions.decideManyOnce(manager, first);
    const granted: Granted[] = [];
    for (const c of repeated) outcomes[c.index] = 'already-decided';
    for (const c of first) {
      const recorded = decided.get(orderIdOf(c));
      if (recorded?.packet) granted.push({ ...c, packet: recorded.packet });
      outcomes[c.index] = outcomeOfDecision(recorded, c.amountCents);
    }
    return granted;
  }
}

/** The first item of each key, in input order, and the repeats after it. */
function splitFirstByKey<T>(items: T[], keyOf: (item: T) => string): [T[], T[]] {
  const seen = new Set<string>();
  const first: T[] = [];
  const repeated: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    (seen.has(key) ? repeated : first).push(item);
    seen.add(key);
  }
  return [first, repeated];
}

function sumByUser(granted: Granted[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const g of granted) sums.set(g.request.userId, (sums.get(g.request.userId) ?? 0) + g.amountCents);
  return sums;
}
