/** A header's value as a client hands it over: bytes, text, or several values for a repeated name. */
export type IncomingHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export type IncomingHeaders = Record<string, IncomingHeaderValue>;

/** One consumed record, the same whichever client fetched it. Offsets and timestamps are int64 as decimal text. */
export interface ConsumedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IncomingHeaders;
  readonly offset: string;
  /** Milliseconds since the epoch, as the producer or the broker stamped it. */
  readonly timestamp: string;
}

/** What one delivery of a partition's messages gives the runner. */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  /** In offset order. May repeat messages delivered before that are not committed yet. */
  readonly messages: readonly ConsumedMessage[];
  /**
   * True when this delivery starts again from the partition's committed offset (after a join, or
   * when the client went back): bookkeeping of earlier deliveries no longer applies.
   */
  readonly restarted: boolean;
  /** Keeps the membership alive during long work; rejects while the group rebalances. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition may have been taken away. */
  isActive(): boolean;
  /** Commits `nextOffset` (the offset to resume from) for this partition. Rejects with the broker's error type. */
  commit(nextOffset: string): Promise<void>;
}

export interface GroupMembership {
  memberId: string;
  /** This member's partitions of the subscribed topic. */
  assigned: number[];
}

/** How a group consumer reports to its owner. */
export interface GroupConsumerListener {
  /** One partition's messages; the next delivery of that partition waits until this settles. */
  eachBatch(batch: ConsumedBatch): Promise<void>;
  joined(membership: GroupMembership): void;
  rebalancing(): void;
  /** The client failed; `restart` says whether it will rejoin by itself. */
  crashed(error: Error, restart: boolean): void;
}

export interface GroupConsumerOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** How many partitions' batches may be in the listener at once. */
  partitionsConsumedConcurrently: number;
}

/**
 * The port on a Kafka consumer group member that the system's consumers need: a subscription from
 * the committed offsets (the earliest where none), per-partition batches, manual commits only,
 * heartbeats during work, per-partition pause and resume, and the group's events.
 */
export interface GroupConsumer {
  start(listener: GroupConsumerListener): Promise<void>;
  /** Stops fetching, lets the batches in hand finish (their commits included), then leaves the group. */
  stop(): Promise<void>;
  /** No new delivery of the partition until it is resumed; it then starts again from its first uncommitted message. */
  pause(partition: number): void;
  resume(partition: number): void;
  /** Stops every delivery, for good. */
  pauseAll(): void;
  paused(): number[];
}
