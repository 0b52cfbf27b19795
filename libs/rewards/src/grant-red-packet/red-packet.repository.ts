import { newEventId } from '@redpacket/contracts';
import type { EntityManager } from 'typeorm';
import type { GrantRequest } from './grant.types';

export interface GrantedPacket {
  packetId: string;
  grantedAt: Date;
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

  async wasProcessed(manager: EntityManager, consumerGroup: string, eventId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      'SELECT 1 FROM rewards.processed_messages WHERE consumer_group = $1 AND event_id = $2',
      [consumerGroup, eventId],
    );
    return rows.length === 1;
  }
}
