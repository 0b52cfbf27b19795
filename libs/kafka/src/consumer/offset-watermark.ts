/**
 * Tracks one partition's messages while they are processed concurrently and may finish out of order.
 * Only the watermark below which every fetched message has finished is safe to commit: committing past
 * an unfinished message would lose it on a restart.
 *
 * Offsets are int64 strings (kafkajs); they are BigInt here because they can exceed 2^53.
 */
export class OffsetWatermark {
  /** Tracked messages not yet below the watermark, in fetch order (Maps keep insertion order); value = finished. */
  private readonly pending = new Map<bigint, boolean>();
  private unfinished = 0;
  private lastTracked: bigint | undefined;
  /** The offset Kafka should resume from once everything before it has finished. */
  private watermark: bigint | undefined;
  private lastCommitted: bigint | undefined;

  /** Registers a message as in flight; call in fetch order. */
  track(offset: string): void {
    const value = parseOffset(offset);
    // Offsets rise within a partition (gaps allowed); anything else means a redelivery the caller forgot to reset for.
    if (this.lastTracked !== undefined && value <= this.lastTracked) {
      throw new Error(`Offset ${offset} tracked after ${this.lastTracked}; offsets must increase within a partition`);
    }
    this.lastTracked = value;
    this.pending.set(value, false);
    this.unfinished += 1;
  }

  /** Marks a tracked message as finished; throws for one that is not in flight, which is a caller bug. */
  complete(offset: string): void {
    const value = parseOffset(offset);
    if (this.pending.get(value) !== false) {
      throw new Error(`Offset ${offset} is not in flight (never tracked, already completed, or reset)`);
    }
    this.pending.set(value, true);
    this.unfinished -= 1;
    this.advance();
  }

  /** The offset to commit (last finished contiguous offset + 1), or undefined if nothing new since the last commit. */
  committable(): string | undefined {
    if (this.watermark === undefined) return undefined;
    if (this.lastCommitted !== undefined && this.watermark <= this.lastCommitted) return undefined;
    return this.watermark.toString();
  }

  markCommitted(offset: string): void {
    const value = parseOffset(offset);
    // Commits can be acknowledged out of order; an older one must not make the newer one committable again.
    if (this.lastCommitted === undefined || value > this.lastCommitted) this.lastCommitted = value;
  }

  /**
   * Where a fetched offset stands: never seen (`new`), tracked and not finished (`pending`), or
   * finished (below the watermark, or done while an earlier one is still pending). A partition
   * fetched again after a pause repeats offsets: only the pending ones are work.
   */
  status(offset: string): 'new' | 'pending' | 'finished' {
    const value = parseOffset(offset);
    if (this.lastTracked === undefined || value > this.lastTracked) return 'new';
    return this.pending.get(value) === false ? 'pending' : 'finished';
  }

  inFlight(): number {
    return this.unfinished;
  }

  /** Forgets everything, for partition revocation: the next owner resumes from the committed offset. */
  reset(): void {
    this.pending.clear();
    this.unfinished = 0;
    this.lastTracked = undefined;
    this.watermark = undefined;
    this.lastCommitted = undefined;
  }

  /** Drops finished messages from the front; the watermark is the first unfinished one, or past the last finished. */
  private advance(): void {
    for (const [offset, finished] of this.pending) {
      if (!finished) {
        // Resuming at the unfinished message itself also skips any gap before it (compaction, transaction markers).
        // Only once something has finished, though: before that we know nothing newer than the last commit.
        if (this.watermark !== undefined) this.watermark = offset;
        return;
      }
      this.pending.delete(offset);
      this.watermark = offset + 1n;
    }
  }
}

function parseOffset(offset: string): bigint {
  // BigInt() alone would accept '', ' 5 ' and '0x10'; an offset is a plain non-negative decimal.
  if (!/^\d+$/.test(offset)) throw new RangeError(`Not a Kafka offset: '${offset}'`);
  return BigInt(offset);
}
