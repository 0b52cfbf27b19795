import { RedpacketError } from '@redpacket/errors';

/** A header's value: bytes or UTF-8 text; several values for a name that was repeated; none, left out. */
export type HeaderValue = string | Buffer | (string | Buffer)[] | undefined;

/** A message to write. Keys and values are bytes or UTF-8 text. */
export interface OutgoingMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, HeaderValue>;
  /** Written to this partition; otherwise the key's murmur2 hash chooses, as the Java client does. */
  partition?: number;
}

/** One partition's acknowledgement of a send: where its first message landed. */
export interface PartitionAck {
  topic: string;
  partition: number;
  /** The offset of the first message this send wrote to the partition. */
  baseOffset: string;
}

/**
 * The port every producer of the system sends through, whichever client library is behind it.
 *
 * - Idempotent, acks=all: the broker drops a batch it already wrote within this producer's session;
 *   across sessions the event id in the message is what lets consumers deduplicate.
 * - A send resolves only when every partition its messages went to acknowledged them, and then with
 *   one acknowledgement per partition. Anything less is an error: the caller (the outbox relay) sends
 *   the batch again, and a repeat is a duplicate the consumer absorbs, never a loss.
 * - Sends on one producer are written in the order they were made.
 */
export interface EventProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(topic: string, messages: OutgoingMessage[]): Promise<PartitionAck[]>;
}

/**
 * A send counts only when every partition it was routed to is acknowledged without an error code.
 * kafkajs 2.2.4 can resolve a send although some of its messages were never written (kafkajs #1303);
 * whichever client is behind the port, this is checked rather than trusted.
 */
export function assertEveryPartitionAcknowledged(
  topic: string,
  routed: ReadonlySet<number>,
  acks: readonly { topic: string; partition: number; errorCode?: number }[],
): void {
  const acknowledged = new Set(
    acks.filter((ack) => ack.topic === topic && (ack.errorCode ?? 0) === 0).map((ack) => ack.partition),
  );
  const missing = [...routed].filter((partition) => !acknowledged.has(partition));
  if (missing.length > 0) {
    throw new UnacknowledgedPartitionsError(topic, missing);
  }
}

export class UnacknowledgedPartitionsError extends RedpacketError {
  readonly code = 'UNACKNOWLEDGED_PARTITIONS';
  readonly retriable = true;

  constructor(
    readonly topic: string,
    readonly partitions: number[],
  ) {
    super(`send reported success but ${topic} partition(s) ${partitions.join(', ')} were not acknowledged`);
  }
}

const ROUTING = Symbol('routing');

/**
 * Marks a failed send with the partition each of its messages was routed to, in the order given: what
 * a caller needs to send again partition by partition, so one unwritable partition holds back only its
 * own keys. The error itself is kept as it was (its type and `retriable` are what classifyError reads).
 */
export function withRouting(error: unknown, partitions: readonly (number | undefined)[]): unknown {
  if (typeof error === 'object' && error !== null && partitions.every((p) => p !== undefined)) {
    Object.defineProperty(error, ROUTING, { value: [...partitions], enumerable: false });
  }
  return error;
}

/** The partition of each message of a failed send, when the producer knew them. */
export function routingOf(error: unknown): readonly number[] | undefined {
  return typeof error === 'object' && error !== null
    ? ((error as { [ROUTING]?: number[] })[ROUTING] ?? undefined)
    : undefined;
}
