import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface WalletView {
  userId: string;
  balanceCents: number;
  version: number;
  updatedAt: string;
}

export interface RedPacketView {
  packetId: string;
  orderId: string;
  amountCents: number;
  source: 'event' | 'reconciliation';
  eventId: string | null;
  grantedAt: string;
}

/** Read-only queries on the rewards schema (balances are sums of bounded packets: exact as numbers). */
@Injectable()
export class WalletQueries {
  constructor(private readonly dataSource: DataSource) {}

  async findWallet(userId: string): Promise<WalletView | undefined> {
    const [row] = await this.dataSource.query<
      { user_id: string; balance_cents: string; version: string; updated_at: Date }[]
    >('SELECT user_id, balance_cents, version, updated_at FROM rewards.wallets WHERE user_id = $1', [userId]);
    return (
      row && {
        userId: row.user_id,
        balanceCents: Number(row.balance_cents),
        version: Number(row.version),
        updatedAt: row.updated_at.toISOString(),
      }
    );
  }

  async listRedPackets(userId: string, limit = 100): Promise<RedPacketView[]> {
    const rows = await this.dataSource.query<
      {
        packet_id: string;
        order_id: string;
        amount_cents: string;
        source: 'event' | 'reconciliation';
        event_id: string | null;
        granted_at: Date;
      }[]
    >(
      `SELECT packet_id, order_id, amount_cents, source, event_id, granted_at
         FROM rewards.red_packets WHERE user_id = $1 ORDER BY granted_at DESC, packet_id LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => ({
      packetId: row.packet_id,
      orderId: row.order_id,
      amountCents: Number(row.amount_cents),
      source: row.source,
      eventId: row.event_id,
      grantedAt: row.granted_at.toISOString(),
    }));
  }
}
