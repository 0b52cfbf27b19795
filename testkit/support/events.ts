import type { GrantRequest, GrantSource } from '@redpacket/rewards';
import { randomInt, randomUUID } from 'node:crypto';
import {
  EVENT_HEADERS,
  type EventSigner,
  newEventId,
  ORDER_PURCHASED,
  type OrderPurchasedV1,
} from '@redpacket/contracts';
import { TEST_EVENT_SIGNER } from './event-keys';
import type { IHeaders, Message } from 'kafkajs';

/** An OrderPurchased event as the order service would write it; qualifying unless told otherwise. */
export function orderPurchased(overrides: Partial<OrderPurchasedV1> = {}): OrderPurchasedV1 {
  return {
    eventId: newEventId(),
    orderId: newEventId(),
    userId: `user-${randomUUID().slice(0, 8)}`,
    itemCount: 3,
    totalCents: 10_000 + randomInt(90_000),
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

/** The grant request the consumer (or, without the event id, the reconciler) makes for an event's order. */
export function asGrantRequest(event: OrderPurchasedV1, source: GrantSource = 'event'): GrantRequest {
  return {
    ...event,
    source,
    eventId: source === 'event' ? event.eventId : undefined,
    placedAt: new Date(event.occurredAt),
  };
}

/** The event as the order service publishes it: signed with the test's key, or `signer`'s, or unsigned (null). */
export function asMessage(
  event: OrderPurchasedV1,
  headers: IHeaders = {},
  signer: EventSigner | null = TEST_EVENT_SIGNER,
): Message {
  const message = {
    key: event.userId,
    value: JSON.stringify(event),
    headers: {
      [EVENT_HEADERS.eventId]: event.eventId,
      [EVENT_HEADERS.eventType]: ORDER_PURCHASED,
      [EVENT_HEADERS.schemaVersion]: '1',
      ...headers,
    },
  };
  return signer ? { ...message, headers: { ...message.headers, ...signer.headersFor(message) } } : message;
}
