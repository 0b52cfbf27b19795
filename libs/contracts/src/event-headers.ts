/** Kafka header names shared by every producer and consumer of the system. */
export const EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  /** Set on monitor probes, which business handlers must ignore. */
  probe: 'probe',
  probeSentAt: 'probe-sent-at',
} as const;

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A header's value as text (the first one, when a header repeats). */
export function headerText(value: HeaderValue): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** When a probe was written (ms since the epoch), or undefined when the message is not a probe. */
export function probeSentAtMs(headers: Record<string, HeaderValue> | undefined): number | undefined {
  if (headerText(headers?.[EVENT_HEADERS.probe]) !== 'true') return undefined;
  return Number(headerText(headers?.[EVENT_HEADERS.probeSentAt]));
}
