/** Poll delay that starts short, doubles while there is nothing to do, and resets when work appears. */
export class IdleBackoff {
  private current: number;

  constructor(
    private readonly minMs = 10,
    private readonly maxMs = 100,
  ) {
    this.current = minMs;
  }

  next(): number {
    const delay = this.current;
    this.current = Math.min(this.current * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.current = this.minMs;
  }
}

/** Delay before an outbox row that failed to publish is tried again: 0.5 s, 1 s, 2 s, ... capped at 10 s. */
export function retryDelayMs(attempts: number, capMs = 10_000): number {
  return Math.min(500 * 2 ** Math.max(0, attempts - 1), capMs);
}
