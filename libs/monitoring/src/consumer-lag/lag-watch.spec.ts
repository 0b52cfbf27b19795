import type { ConsumerGroupAdmin, GroupOffsets } from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import { LagWatch } from './lag-watch';

/** One group on one partition of `orders`: the committed offset and the log end, as a test sets them. */
class FakeAdmin implements ConsumerGroupAdmin {
  committed = '5';
  end = '10';
  away = false;

  committedOffsets(): Promise<GroupOffsets[]> {
    if (this.away) return Promise.reject(new Error('kafka is away'));
    return Promise.resolve([{ topic: 'orders', partitions: [{ partition: 0, offset: this.committed }] }]);
  }
  endOffsets(): Promise<{ partition: number; high: string }[]> {
    return Promise.resolve([{ partition: 0, high: this.end }]);
  }
  partitionOwners(): Promise<Map<string, string>> {
    return Promise.resolve(new Map([['orders:0', 'member-1']]));
  }
}

const silent = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };

describe('LagWatch', () => {
  it('reads the lag, exports it, keeps the last reading while Kafka is away, and reports a stall once it lasts', async () => {
    const admin = new FakeAdmin();
    const metrics = new Metrics();
    const watch = new LagWatch(admin, metrics, silent, ['reward-service'], 1_000);

    const first = await watch.read(0);
    expect(first.lag).toEqual([expect.objectContaining({ group: 'reward-service', partition: 0, lag: '5' })]);
    expect(first.stalled).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('redpacket_consumer_lag')).toMatch(/partition="0"} 5/);

    admin.away = true;
    const blind = await watch.read(500);
    expect(blind.lag).toEqual(first.lag);

    admin.away = false;
    const stuck = await watch.read(1_500);
    expect(stuck.stalled).toEqual([
      expect.objectContaining({ group: 'reward-service', partition: 0, stalledForMs: 1_500 }),
    ]);
    expect(silent.warn).toHaveBeenCalledWith('consumer partition stalled', expect.objectContaining({ partition: 0 }));

    admin.committed = '10';
    expect((await watch.read(2_000)).stalled).toEqual([]);
    expect(silent.log).toHaveBeenCalledWith('consumer partition recovered', expect.objectContaining({ partition: 0 }));
  });
});
