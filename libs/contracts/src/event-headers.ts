import { ContractViolationError } from './contract.errors';

/** Kafka header names shared by every producer and consumer of the system. */
export const EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  /** Set on monitor probes, which business handlers must ignore. */
  probe: 'probe',
  probeSentAt: 'probe-sent-at',
  /** W3C trace context of the span that published the event, when tracing is on. */
  traceparent: 'traceparent',
} as const;

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A header's value as text (the first one, when a header repeats). */
export function headerText(value: HeaderValue): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * A business consumer's view of a message: undefined for a business message, the time a probe was
 * written for a probe. A message that carries the probe header but is not a well-formed probe (it has
 * a value, or no valid timestamp) is neither: dropping it as a probe could drop a real order, so it
 * is poison.
 */
export function probeSentAtOrBusiness(value: Buffer | null, headers: Record<string, HeaderValue> | undefined) {
  if (headers?.[EVENT_HEADERS.probe] === undefined) return undefined;
  const sentAtMs = probeSentAtMs(headers);
  if (sentAtMs === undefined || !Number.isSafeInteger(sentAtMs) || sentAtMs <= 0) {
    throw new ContractViolationError('INVALID_PROBE', 'probe header without a valid probe-sent-at');
  }
  if (value !== null && value.length > 0) {
    throw new ContractViolationError('INVALID_PROBE', 'probe header on a message with a value');
  }
  return sentAtMs;
}

/** When a probe was written (ms since the epoch), or undefined when the message is not a probe. */
export function probeSentAtMs(headers: Record<string, HeaderValue> | undefined): number | undefined {
  if (headerText(headers?.[EVENT_HEADERS.probe]) !== 'true') return undefined;
  return Number(headerText(headers?.[EVENT_HEADERS.probeSentAt]));
}
