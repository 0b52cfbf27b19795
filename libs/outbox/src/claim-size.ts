/**
 * How many rows the relay's next claim asks for, sized from the backlog the last claim saw.
 *
 * A claim that comes back full means more rows are waiting: the next one asks for twice as many, up to
 * `max`, so a deep backlog spreads each batch's fixed cost (round trips, a commit, a Kafka request and
 * its acknowledgement) over more rows. A claim that comes back less than half full means the relay has
 * caught up: the next asks for half, down to `min`, so a new event does not queue behind a large send.
 * In between the size stays put, so a claim held short by something else (the keys one claim may lock,
 * rows in backoff) does not swing back and forth between the two.
 */
export class ClaimSize {
  private size: number;
  private readonly max: number;

  constructor(
    private readonly min: number,
    max: number,
  ) {
    this.max = Math.max(min, max);
    this.size = min;
  }

  get current(): number {
    return this.size;
  }

  /** Records how many rows the last claim of `current` rows returned. */
  record(claimed: number): void {
    if (claimed >= this.size) this.size = Math.min(this.size * 2, this.max);
    else if (claimed < this.size / 2) this.size = Math.max(Math.floor(this.size / 2), this.min);
  }
}
