import type { Message } from '@platformatic/kafka';
import type { ConsumedMessage, IncomingHeaders } from './group-consumer';

export type FetchedRecord = Message<Buffer, Buffer, Buffer, Buffer>;

/** Messages held for the listener, across partitions; past it the stream stops fetching until they drain. */
const MAX_HELD_MESSAGES = 10_000;
/**
 * Messages one partition may hold. Past it, the partition's newly fetched messages are dropped, and the
 * stream is opened again from the committed offsets once it has drained to half: one partition stuck in
 * retry never fills the shared hold and stops the others.
 */
const MAX_HELD_PER_PARTITION = 2_000;

/** One assigned partition's messages since its last commit, and its delivery state. */
export interface PartitionQueue {
  /** Fetched and not committed yet, in offset order. */
  messages: ConsumedMessage[];
  lastOffset?: bigint;
  leaderEpoch: number;
  /** Something the listener has not been given yet: new messages, a resume, or a restart. */
  due: boolean;
  /** Messages past the partition's hold were dropped: none is taken until the stream is opened again. */
  truncated?: boolean;
  restarted: boolean;
  delivering: boolean;
}

/**
 * What a @platformatic/kafka consumer has fetched and not committed, partition by partition. Each
 * partition's messages are held until committed, so a delivery after a pause or a join starts again from
 * the first uncommitted one. A message fetched again is dropped: the one held already stands for it.
 * Holds are bounded in all and per partition.
 */
export class HeldMessages {
  private readonly queues = new Map<number, PartitionQueue>();
  private count = 0;

  /** Holds a fetched message; false when it was dropped (fetched again, or past its partition's hold). */
  hold(record: FetchedRecord): boolean {
    let queue = this.queues.get(record.partition);
    // Fetched again (the stream goes back to the committed offset after a join): what is held already
    // stays as it is, and anything below it was committed by this member.
    if (queue?.lastOffset !== undefined && record.offset <= queue.lastOffset) return false;
    if (queue?.truncated) return false;
    if (queue && queue.messages.length >= MAX_HELD_PER_PARTITION) {
      queue.truncated = true;
      return false;
    }
    if (!queue) {
      queue = { messages: [], leaderEpoch: -1, due: false, restarted: true, delivering: false };
      this.queues.set(record.partition, queue);
    }
    queue.messages.push(consumedMessageOf(record));
    queue.lastOffset = record.offset;
    queue.leaderEpoch = record.leaderEpoch;
    queue.due = true;
    this.count += 1;
    return true;
  }

  /** So many messages are held that the stream should stop fetching. */
  get full(): boolean {
    return this.count >= MAX_HELD_MESSAGES;
  }

  /** Few enough are held again for a stopped stream to fetch on. */
  get drained(): boolean {
    return this.count < MAX_HELD_MESSAGES / 2;
  }

  queue(partition: number): PartitionQueue | undefined {
    return this.queues.get(partition);
  }

  /** Every held partition, starting `start` places on, so no partition always comes first. */
  rotated(start: number): [number, PartitionQueue][] {
    const queues = [...this.queues];
    const at = start % Math.max(1, queues.length);
    return [...queues.slice(at), ...queues.slice(0, at)];
  }

  /**
   * After a join. Partitions kept through the rebalance keep their messages since the last commit: the
   * runner starts its bookkeeping over after a join, so they are delivered again from the first of them.
   * Dropping them would be a loss: a fetch sent before the join can land after it, past messages that
   * were delivered and not finished, and finishing those later ones would commit past them.
   */
  rejoined(assigned: ReadonlySet<number>): void {
    for (const [partition, queue] of [...this.queues]) {
      if (!assigned.has(partition)) this.forget(partition);
      else Object.assign(queue, { due: true, restarted: true });
    }
  }

  /**
   * Drops what a commit of `next` covered. Returns true when the partition had dropped messages and has
   * drained to half its hold: time to open the stream again and fetch them.
   */
  committed(partition: number, queue: PartitionQueue, next: bigint): boolean {
    if (this.queues.get(partition) !== queue) return false;
    const before = queue.messages.length;
    queue.messages = queue.messages.filter((message) => BigInt(message.offset) >= next);
    this.count -= before - queue.messages.length;
    return queue.truncated === true && queue.messages.length <= MAX_HELD_PER_PARTITION / 2;
  }

  /** The stream is opened again from the committed offsets: the dropped messages come again, in order. */
  refetching(): void {
    for (const queue of this.queues.values()) queue.truncated = false;
  }

  private forget(partition: number): void {
    const queue = this.queues.get(partition);
    if (!queue) return;
    this.queues.delete(partition);
    this.count -= queue.messages.length;
  }
}

function consumedMessageOf(record: FetchedRecord): ConsumedMessage {
  const headers: IncomingHeaders = {};
  for (const [name, value] of record.headerEntries) {
    const key = name.toString();
    const previous = headers[key];
    if (previous === undefined) headers[key] = value;
    else headers[key] = [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return {
    key: record.key ?? null,
    value: record.value ?? null,
    headers,
    offset: record.offset.toString(),
    timestamp: record.timestamp.toString(),
  };
}
