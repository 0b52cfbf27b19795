/** A partition whose finished work is not committed yet because its commit failed. */
export interface DueCommit {
  partition: number;
  failingSinceMs: number;
  attempts: number;
  error: string;
}

interface Due extends DueCommit {
  timer: NodeJS.Timeout;
}

/**
 * Commits that failed for any reason but "the partition is someone else's now" stay due: each is tried
 * again, after a delay that doubles up to `maxDelayMs`, until it succeeds, a later commit covers it, or
 * the member joins again (every partition then starts again from its committed offset). Without this a
 * failed commit waits for the partition's next message, which may never come: the work is done, the
 * group's lag says it is not, and a restart delivers it all again.
 */
export class DueCommits {
  private readonly due = new Map<number, Due>();

  constructor(private readonly policy: { initialDelayMs: number; maxDelayMs: number }) {}

  /** The commit of `partition` failed: `retry` runs after the next delay, unless settled before. */
  failed(partition: number, error: string, retry: () => Promise<void>): void {
    const previous = this.due.get(partition);
    if (previous) clearTimeout(previous.timer);
    const attempts = (previous?.attempts ?? 0) + 1;
    const delayMs = Math.min(this.policy.initialDelayMs * 2 ** (attempts - 1), this.policy.maxDelayMs);
    const timer = setTimeout(() => void retry(), delayMs);
    timer.unref();
    this.due.set(partition, {
      partition,
      failingSinceMs: previous?.failingSinceMs ?? Date.now(),
      attempts,
      error,
      timer,
    });
  }

  /** Nothing of `partition` is due any more: committed, covered by a later commit, or not ours. */
  settled(partition: number): void {
    const due = this.due.get(partition);
    if (!due) return;
    clearTimeout(due.timer);
    this.due.delete(partition);
  }

  /** After a join or on stop: what was due is delivered again from the committed offsets. */
  clear(): void {
    for (const partition of [...this.due.keys()]) this.settled(partition);
  }

  list(): DueCommit[] {
    return [...this.due.values()].map(({ partition, failingSinceMs, attempts, error }) => ({
      partition,
      failingSinceMs,
      attempts,
      error,
    }));
  }
}
