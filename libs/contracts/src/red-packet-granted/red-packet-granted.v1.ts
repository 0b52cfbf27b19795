/** RedPacketGranted, schema version 1: published by the reward service for notifications downstream. Key: userId. */
export const RED_PACKET_GRANTED = 'RedPacketGranted';

export interface RedPacketGrantedV1 {
  eventId: string;
  packetId: string;
  orderId: string;
  userId: string;
  amountCents: number;
  source: 'event' | 'reconciliation';
  grantedAt: string;
}
