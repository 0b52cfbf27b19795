/** Kafka header names shared by every producer and consumer of the system. */
export const EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  /** Set on monitor probes, which business handlers must ignore. */
  probe: 'probe',
  probeSentAt: 'probe-sent-at',
} as const;
