import type { DataSource } from 'typeorm';

/** One step of an order's life, when it happened, and how long after the step before. */
export interface TimelineStep {
  step:
    | 'placed'
    | 'published'
    | 'consumed'
    | 'decided'
    | 'packet granted'
    | 'wallet credited'
    | 'granted event published'
    | 'reissued by reconciliation';
  at: string;
  /** Milliseconds since the step before it; null for the first. */
  sincePreviousMs: number | null;
  details: Record<string, string | number | boolean | null>;
}

export interface OrderTimeline {
  orderId: string;
  userId: string;
  steps: TimelineStep[];
  /** What could not be known, and why (a purged outbox row, a decision still to come). */
  notes: string[];
}

interface Row {
  [column: string]: string | number | boolean | Date | null;
}

/**
 * An order's life, read from the tables every step writes: the order, its outbox row (Kafka's
 * acknowledgement), the reward service's inbox row (where and how often the event was delivered), the
 * decision, the packet and the wallet credit it came with, the RedPacketGranted row, and a reissue by the
 * reconciler when the decision came from there. Outbox rows are deleted an hour after publication
 * (OUTBOX_RETENTION_SECONDS), so an older order's publication times are reported as unknown.
 */
export class OrderTimelines {
  constructor(
    private readonly dataSource: DataSource,
    /** The reward service's consumer group: its inbox rows are the ones that say the event was consumed. */
    private readonly rewardGroup: string,
  ) {}

  async of(orderId: string): Promise<OrderTimeline | undefined> {
    const [order] = await this.query(
      `SELECT order_id, user_id, item_count, total_cents, status, created_at FROM ordering.orders WHERE order_id = $1`,
      [orderId],
    );
    if (!order) return undefined;
    // The id as Postgres writes it (lower case): the outbox payload holds it as text.
    orderId = String(order.order_id);
    const [published] = await this.query(
      `SELECT event_id, created_at, published_at, attempts, last_error FROM ordering.outbox
        WHERE event_type = 'OrderPurchased' AND payload->>'orderId' = $1 ORDER BY id LIMIT 1`,
      [orderId],
    );
    const [decision] = await this.query(
      `SELECT outcome, rule_version, amount_cents, source, event_id, decided_at FROM rewards.reward_decisions
        WHERE order_id = $1`,
      [orderId],
    );
    const eventId = (published?.event_id ?? decision?.event_id ?? null) as string | null;
    const [consumed] = eventId
      ? await this.query(
          `SELECT consumer_group, processed_at, kafka_partition, kafka_offset, deliveries, last_delivered_at
             FROM rewards.processed_messages WHERE consumer_group = $1 AND event_id = $2`,
          [this.rewardGroup, eventId],
        )
      : [];
    const [packet] = await this.query(
      `SELECT p.packet_id, p.amount_cents, p.source, p.granted_at, w.balance_cents, w.version
         FROM rewards.red_packets p JOIN rewards.wallets w USING (user_id) WHERE p.order_id = $1`,
      [orderId],
    );
    const [granted] = await this.query(
      `SELECT event_id, created_at, published_at FROM rewards.outbox
        WHERE event_type = 'RedPacketGranted' AND payload->>'orderId' = $1 ORDER BY id LIMIT 1`,
      [orderId],
    );
    return assemble({ order, published, consumed, decision, packet, granted });
  }

  private query(sql: string, parameters: unknown[]): Promise<Row[]> {
    return this.dataSource.query<Row[]>(sql, parameters);
  }
}

interface Found {
  order: Row;
  published?: Row;
  consumed?: Row;
  decision?: Row;
  packet?: Row;
  granted?: Row;
}

/** The steps that happened, in the order they happened, each with its delay from the one before. */
export function assemble(found: Found): OrderTimeline {
  const { order, published, consumed, decision, packet, granted } = found;
  const notes: string[] = [];
  const steps: Omit<TimelineStep, 'sincePreviousMs'>[] = [
    step('placed', order.created_at, {
      itemCount: order.item_count,
      totalCents: Number(order.total_cents),
      status: order.status,
    }),
  ];
  if (published?.published_at) {
    steps.push(
      step('published', published.published_at, {
        eventId: published.event_id,
        attempts: published.attempts,
        lastError: published.last_error,
      }),
    );
  } else if (published) notes.push('OrderPurchased is in the outbox, not yet acknowledged by Kafka');
  else notes.push('no OrderPurchased row in the outbox: purged after its retention, or deleted before publication');
  if (consumed) {
    steps.push(
      step('consumed', consumed.processed_at, {
        group: consumed.consumer_group,
        partition: consumed.kafka_partition,
        offset: consumed.kafka_offset === null ? null : String(consumed.kafka_offset),
        deliveries: consumed.deliveries,
        lastDeliveredAt: consumed.last_delivered_at ? iso(consumed.last_delivered_at) : null,
      }),
    );
  }
  if (decision) {
    if (decision.source === 'reconciliation')
      steps.push(step('reissued by reconciliation', decision.decided_at, { outcome: decision.outcome }));
    steps.push(
      step('decided', decision.decided_at, {
        outcome: decision.outcome,
        ruleVersion: decision.rule_version,
        amountCents: Number(decision.amount_cents),
        source: decision.source,
      }),
    );
  } else notes.push('no decision yet');
  if (packet) {
    steps.push(
      step('packet granted', packet.granted_at, {
        packetId: packet.packet_id,
        amountCents: Number(packet.amount_cents),
        source: packet.source,
      }),
      // The credit commits with the packet, in the same transaction.
      step('wallet credited', packet.granted_at, {
        amountCents: Number(packet.amount_cents),
        walletBalanceNowCents: Number(packet.balance_cents),
        walletVersionNow: Number(packet.version),
      }),
    );
  }
  if (granted?.published_at)
    steps.push(step('granted event published', granted.published_at, { eventId: granted.event_id }));
  return { orderId: String(order.order_id), userId: String(order.user_id), steps: withDelays(steps), notes };
}

function step(
  name: TimelineStep['step'],
  at: Row[string],
  details: Record<string, Row[string]>,
): Omit<TimelineStep, 'sincePreviousMs'> {
  const plain = Object.entries(details).map(([key, value]) => [
    key,
    value instanceof Date ? value.toISOString() : value,
  ]);
  return { step: name, at: iso(at), details: Object.fromEntries(plain) as TimelineStep['details'] };
}

function withDelays(steps: Omit<TimelineStep, 'sincePreviousMs'>[]): TimelineStep[] {
  return steps.map((s, i) => ({
    ...s,
    sincePreviousMs: i === 0 ? null : Date.parse(s.at) - Date.parse(steps[i - 1].at),
  }));
}

function iso(value: Row[string]): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}
