import { Injectable } from '@nestjs/common';
import { newEventId } from '@redpacket/contracts';
import type { EntityManager } from 'typeorm';
import type { GrantOutcome, RuledRequest } from './grant.types';

export interface GrantedPacket {
  packetId: string;
  grantedAt: Date;
}

/** An order's decision about to be recorded: the request, the rule in force when it was placed, the amount. */
export interface DecisionToRecord {
  request: RuledRequest;
  /** 0 when the order does not qualify under its rule. */
  amountCents: number;
}

/** A decision recorded now, with its packet when it granted one. */
export interface RecordedDecision {
  packet?: GrantedPacket;
}

/**
 * What recording came to: the order was decided before; it does not qualify; or it was granted — unless a
 * packet was already there without a decision, which is not paid twice and shows in the two-way report.
 */
export function outcomeOfDecision(recorded: RecordedDecision | undefined, amountCents: number): GrantOutcome {
  if (!recorded) return 'already-decided';
  if (amountCents === 0) return 'ineligible';
  return recorded.packet ? 'granted' : 'already-decided';
}

interface DecidedRow {
  order_id: string;
  packet_id: string | null;
  granted_at: Date | null;
}

/**
 * One statement per decision (or per batch of them): the decision row, and for a granted one its packet.
 * The decision is unique per order, so whichever path (event or reconciliation) records first decides, and a
 * later arrival finds it taken. Recording writes nothing else: the caller credits the wallet in the same
 * transaction.
 */
@Injectable()
export class RewardDecisionRepository {
  /** The decision recorded now, with its packet when granted; undefined when the order was decided before. */
  async decideOnce(manager: EntityManager, decision: DecisionToRecord): Promise<RecordedDecision | undefined> {
    const recorded = await this.decideManyOnce(manager, [decision]);
    return recorded.get(decision.request.orderId.toLowerCase());
  }

  /**
   * Records several orders' decisions in one statement; the map holds those recorded now, by order id
   * (lower-case, as Postgres prints uuids), with the packet of each granted one. Rows go in order-id order, so
   * concurrent batches take the unique-index locks in one order and cannot deadlock on them. Order ids must be
   * distinct. A granted decision whose order already has a packet (one written outside the grant path) gets
   * no second packet; the two-way reconciliation reports the disagreement.
   */
  async decideManyOnce(manager: EntityManager, decisions: DecisionToRecord[]): Promise<Map<string, RecordedDecision>> {
    if (decisions.length === 0) return new Map();
    const column = <T>(pick: (d: DecisionToRecord) => T) => decisions.map(pick);
    const rows = await manager.query<DecidedRow[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::bigint[], $5::int[], $6::bigint[],
                              $7::timestamptz[], $8::text[], $9::uuid[], $10::uuid[])
                AS d(order_id, user_id, rule_version, amount_cents, item_count, total_cents, placed_at, source,
                     event_id, packet_id)
       ), decided AS (
         INSERT INTO rewards.reward_decisions
                (order_id, user_id, outcome, rule_version, amount_cents, item_count, total_cents, order_placed_at,
                 source, event_id)
         SELECT order_id, user_id, CASE WHEN amount_cents > 0 THEN 'granted' ELSE 'ineligible' END, rule_version,
                amount_cents, item_count, total_cents, placed_at, source, event_id
           FROM input ORDER BY order_id
         ON CONFLICT (order_id) DO NOTHING
         RETURNING order_id, outcome
       ), packets AS (
         INSERT INTO rewards.red_packets (packet_id, order_id, user_id, amount_cents, source, event_id)
         SELECT input.packet_id, input.order_id, input.user_id, input.amount_cents, input.source, input.event_id
           FROM decided JOIN input USING (order_id)
          WHERE decided.outcome = 'granted' ORDER BY input.order_id
         ON CONFLICT (order_id) DO NOTHING
         RETURNING packet_id, order_id, granted_at
       )
       SELECT decided.order_id, packets.packet_id, packets.granted_at
         FROM decided LEFT JOIN packets USING (order_id)`,
      [
        column((d) => d.request.orderId),
        column((d) => d.request.userId),
        column((d) => d.request.rule.version),
        column((d) => d.amountCents),
        column((d) => d.request.itemCount),
        column((d) => d.request.totalCents),
        column((d) => d.request.placedAt),
        column((d) => d.request.source),
        column((d) => d.request.eventId ?? null),
        column(() => newEventId()),
      ],
    );
    return new Map(
      rows.map((row) => [
        row.order_id,
        row.packet_id && row.granted_at ? { packet: { packetId: row.packet_id, grantedAt: row.granted_at } } : {},
      ]),
    );
  }
}
