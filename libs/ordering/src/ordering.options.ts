import type { OutboxLocation } from '@redpacket/outbox';

export const ORDERING_OPTIONS = Symbol('ORDERING_OPTIONS');

export interface OrderingOptions {
  idempotencyKeyTtlSeconds: number;
  outbox: OutboxLocation;
  /** For the version-in-message comparison strategy only. */
  eventCarriesWalletVersion: boolean;
}
