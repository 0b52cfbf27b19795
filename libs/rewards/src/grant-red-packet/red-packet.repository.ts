import { newEventId } from '@redpacket/contracts';
import type { EntityManager } from 'typeorm';
import type { GrantRequest } from './grant.types';

export interface GrantedPacket {
  packetId: string;
  grantedAt: Date;
}

/** An order's packet about to be inserted: the request and the amount the rule gave it. */
export interface PacketToInsert {
  request: GrantRequest;
  amountCents: number;
}

interface PacketRow {
  packet_id: string;
  order_id: string;
  granted_at: Date;
}

export class RedPacketRepository {
  /** Inserts the order's packet; undefined when the order already has one (unique per order). */
  async insertOnce(
    manager: EntityManager,
    request: GrantRequest,
    amountCents: number,
  ): Promise<GrantedPacket | undefined> {
    const [row] = await manager.query<{ packet_id: string; granted_at: Date }[]>(
      `INSERT INTO rewards.red_packets (packet_id, order_id, user_id, amount_cents, source, event_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO NOTHING
       RETURNING packet_id, granted_at`,
      [newEventId(), request.orderId, request.userId, amountCents, request.source, request.eventId ?? null],
    );
    return row && { packetId: row.packet_id, grantedAt: row.granted_at };
  }

  /**
   * Inserts several orders' packets in one statement; the map holds those inserted, by order id (lower-case,
   * as Postgres prints uuids). An order that already has a packet is absent. Rows go in order-id order, so
   * concurrent batches take the unique-index locks in one order and cannot deadlock on them.
   * Order ids must be distinct.
   */
  async insertManyOnce(manager: EntityManager, packets: PacketToInsert[]): Promise<Map<string, GrantedPacket>> {
    if (packets.length === 0) return new Map();
    const column = <T>(pick: (packet: PacketToInsert) => T) => packets.map(pick);
    const rows = await manager.query<PacketRow[]>(
      `INSERT INTO rewards.red_packets (packet_id, order_id, user_id, amount_cents, source, event_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::uuid[])
                  AS p(packet_id, order_id, user_id, amount_cents, source, event_id)
        ORDER BY order_id
       ON CONFLICT (order_id) DO NOTHING
       RETURNING packet_id, order_id, granted_at`,
      [
        column(() => newEventId()),
        column((p) => p.request.orderId),
        column((p) => p.request.userId),
        column((p) => p.amountCents),
        column((p) => p.request.source),
        column((p) => p.request.eventId ?? null),
      ],
    );
    return new Map(rows.map((row) => [row.order_id, { packetId: row.packet_id, grantedAt: row.granted_at }]));
  }
}

export class ProcessedMessageRepository {
  /** Records the event as processed by the group; false when it already was (a redelivery). */
  async markProcessed(manager: EntityManager, consumerGroup: string, eventId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO rewards.processed_messages (consumer_group, event_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [consumerGroup, eventId],
    );
    return rows.length === 1;
  }

  /**
   * Records several events in one statement; returns the ids recorded now, lower-case (the others were
   * processed before). Sorted, like the packets, so concurrent batches lock the keys in one order.
   * Ids must be distinct.
   */
  async markManyProcessed(manager: EntityManager, consumerGroup: string, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await manager.query<{ event_id: string }[]>(
      `INSERT INTO rewards.processed_messages (consumer_group, event_id)
       SELECT $1::text, event_id FROM unnest($2::uuid[]) AS e(event_id) ORDER BY event_id
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumerGroup, eventIds],
    );
    return new Set(rows.map((row) => row.event_id));
  }

  async wasProcessed(manager: EntityManager, consumerGroup: string, eventId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM rewards.processed_messages WHERE consumer_group = $1 AND event_id = $2',
      [consumerGroup, eventId],
    );
    return rows.length === 1;
  }
}
