import { PendingProbes } from './pending-probes';

describe('PendingProbes', () => {
  const probe = (partition: number, offset: number, sentAtMs: number) => ({
    partition,
    offset: BigInt(offset),
    sentAtMs,
  });

  it('resolves every earlier probe of a partition when a later one arrives, and leaves other partitions', () => {
    const pending = new PendingProbes(['monitor'], 5_000);
    pending.sent(probe(0, 10, 1_000));
    pending.sent(probe(1, 20, 1_000));
    pending.sent(probe(0, 11, 2_000));

    expect(pending.arrived('monitor', 0, 2_000).map((p) => p.offset)).toEqual([10n, 11n]);
    expect(pending.oldestAgeMs('monitor', 3_000)).toBe(2_000);
    expect(pending.arrived('monitor', 1, 1_000)).toHaveLength(1);
    expect(pending.oldestAgeMs('monitor', 3_000)).toBe(0);
  });

  it('resolves by committed offset: the committed offset is the next one to read', () => {
    const pending = new PendingProbes(['reward-service'], 5_000);
    pending.sent(probe(2, 7, 1_000));
    expect(pending.committed('reward-service', 2, 7n)).toEqual([]);
    expect(pending.committed('reward-service', 2, 8n)).toHaveLength(1);
  });

  it('tracks each observer separately', () => {
    const pending = new PendingProbes(['monitor', 'reward-service'], 5_000);
    pending.sent(probe(0, 1, 1_000));
    pending.arrived('monitor', 0, 1_000);
    expect(pending.oldestAgeMs('monitor', 9_000)).toBe(0);
    expect(pending.oldestAgeMs('reward-service', 9_000)).toBe(8_000);
  });

  it('alerts once per stuck partition, and again only after that partition recovered', () => {
    const pending = new PendingProbes(['reward-service'], 5_000);
    pending.sent(probe(0, 1, 0));
    pending.sent(probe(0, 2, 1_000));
    expect(pending.overdue(5_000)).toEqual([]);
    expect(pending.overdue(6_500)).toEqual([
      { partition: 0, offset: 1n, sentAtMs: 0, observer: 'reward-service', ageMs: 6_500 },
    ]);
    expect(pending.overdue(20_000)).toEqual([]);

    pending.committed('reward-service', 0, 3n);
    pending.sent(probe(0, 3, 20_000));
    expect(pending.overdue(30_000)).toHaveLength(1);
  });
});
