import { PartitionRetry } from './partition-retry';

const policy = { initialDelayMs: 100, maxDelayMs: 1_000, stuckAfterMs: 5_000 };

describe('PartitionRetry', () => {
  it('doubles the pause after each failure up to the ceiling', () => {
    const retry = new PartitionRetry(3, policy);
    const delays = [0, 1, 2, 3, 4, 5].map((i) => retry.failed('PG_08006', 'down', i * 10).delayMs);
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('becomes stuck once, at the first failure past the bound, and forgets it all on success', () => {
    const retry = new PartitionRetry(3, policy);
    expect(retry.failed('PG_08006', 'down', 0).becameStuck).toBe(false);
    expect(retry.failed('PG_08006', 'down', 4_999).becameStuck).toBe(false);
    expect(retry.state()).toMatchObject({ partition: 3, attempts: 2, stuck: false, failingSinceMs: 0 });
    expect(retry.failed('PG_57P03', 'starting', 5_000).becameStuck).toBe(true);
    expect(retry.failed('PG_57P03', 'starting', 6_000).becameStuck).toBe(false);
    expect(retry.state()).toMatchObject({ attempts: 4, stuck: true, code: 'PG_57P03', error: 'starting' });

    expect(retry.succeeded()).toMatchObject({ attempts: 4 });
    expect(retry.state()).toBeUndefined();
    expect(retry.failed('PG_08006', 'down', 7_000)).toEqual({ delayMs: 100, becameStuck: false, attempts: 1 });
  });
});
