/** A partition whose work keeps failing: when it started, how often, and why the last time. */
export interface FailingPartition {
  partition: number;
  failingSinceMs: number;
  attempts: number;
  code: string;
  error: string;
  stuck: boolean;
}

export interface RetryPolicy {
  /** Pause before the first retry; doubled on each failure up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A partition failing for this long is reported stuck. */
  stuckAfterMs: number;
}

/**
 * The retry bookkeeping of one partition, pure: the runner asks how long to pause after a failure,
 * and whether the partition has been failing long enough to be reported stuck.
 */
export class PartitionRetry {
  private failure: Omit<FailingPartition, 'stuck'> | undefined;
  private reportedStuck = false;

  constructor(
    private readonly partition: number,
    private readonly policy: RetryPolicy,
  ) {}

  /** Records a failure; returns the pause before the next attempt and whether it just became stuck. */
  failed(code: string, error: string, nowMs: number): { delayMs: number; becameStuck: boolean; attempts: number } {
    const attempts = (this.failure?.attempts ?? 0) + 1;
    this.failure = {
      partition: this.partition,
      failingSinceMs: this.failure?.failingSinceMs ?? nowMs,
      attempts,
      code,
      error,
    };
    const delayMs = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (attempts - 1));
    const becameStuck = !this.reportedStuck && this.isStuck(nowMs);
    if (becameStuck) this.reportedStuck = true;
    return { delayMs, becameStuck, attempts };
  }

  /** The work went through: forget the failures. Returns what was failing, if anything. */
  succeeded(): Omit<FailingPartition, 'stuck'> | undefined {
    const previous = this.failure;
    this.failure = undefined;
    this.reportedStuck = false;
    return previous;
  }

  /** Stuck is judged at a failure, the moment of evidence, so readiness and the metric always agree. */
  state(): FailingPartition | undefined {
    return this.failure && { ...this.failure, stuck: this.reportedStuck };
  }

  private isStuck(nowMs: number): boolean {
    return this.failure !== undefined && nowMs - this.failure.failingSinceMs >= this.policy.stuckAfterMs;
  }
}
