import type { OutgoingMessage } from '@redpacket/kafka';

/** An event waiting in a service's outbox table to be published. */
export interface OutboxEvent {
  eventId: string;
  topic: string;
  /** Kafka message key: all events of one key land on one partition, in order. */
  key: string;
  eventType: string;
  schemaVersion: number;
  payload: object;
  /** The W3C traceparent the event continues; the writer's active span when not given. */
  traceContext?: string;
}

/** Where a service keeps its outbox: a schema-qualified table and the NOTIFY channel that wakes its relay. */
export interface OutboxLocation {
  table: string;
  channel: string;
}

export function outboxLocation(schema: string): OutboxLocation {
  return { table: `${schema}.outbox`, channel: `${schema}_outbox` };
}

/** Where a relay sends: a producer behind the port, or anything that sends the same way. */
export interface EventSender {
  send(topic: string, messages: OutgoingMessage[]): Promise<unknown>;
}
