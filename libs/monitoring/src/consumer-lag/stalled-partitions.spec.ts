import { type LagRow, partitionLag } from './lag-table';
import { StalledPartitions } from './stalled-partitions';

const STALL_AFTER_MS = 2_000;

/** One partition of the reward-service group at `committed` of `logEnd`; '-' when never committed. */
const row = (partition: number, committed: string, logEnd: string): LagRow => ({
  group: 'reward-service',
  topic: 'order.purchased',
  partition,
  currentOffset: committed,
  logEndOffset: logEnd,
  lag: partitionLag(committed === '-' ? undefined : committed, logEnd),
  consumerId: '-',
});

const partitionsOf = (stalls: { partition: number }[]) => stalls.map((s) => s.partition);

describe('StalledPartitions', () => {
  it('reports a partition once its committed offset has sat still with lag for the bound, and not before', () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    expect(stalls.observe([row(0, '10', '15')], 1_000).stalled).toEqual([]);
    expect(stalls.observe([row(0, '10', '17')], 2_999).stalled).toEqual([]);

    const reading = stalls.observe([row(0, '10', '17')], 3_000);
    const stalled = {
      group: 'reward-service',
      topic: 'order.purchased',
      partition: 0,
      committedOffset: '10',
      lag: '7',
      stalledForMs: 2_000,
    };
    expect(reading).toEqual({ stalled: [stalled], began: [stalled], recovered: [] });
  });

  it('says a partition began to stall only at the reading that crossed the bound', () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    stalls.observe([row(0, '10', '15')], 0);
    expect(partitionsOf(stalls.observe([row(0, '10', '15')], 2_500).began)).toEqual([0]);

    const later = stalls.observe([row(0, '10', '15')], 9_000);
    expect(later.began).toEqual([]);
    expect(later.stalled).toEqual([expect.objectContaining({ partition: 0, stalledForMs: 9_000 })]);
  });

  it('recovers as soon as the committed offset moves, even with lag left, and restarts the clock there', () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    stalls.observe([row(0, '10', '15')], 0);
    stalls.observe([row(0, '10', '15')], 5_000);

    const moved = stalls.observe([row(0, '11', '15')], 6_000);
    expect(moved.stalled).toEqual([]);
    expect(moved.recovered).toEqual([
      expect.objectContaining({ partition: 0, committedOffset: '11', lag: '4', stalledForMs: 6_000 }),
    ]);
    expect(stalls.observe([row(0, '11', '15')], 7_999).stalled).toEqual([]);
    expect(partitionsOf(stalls.observe([row(0, '11', '15')], 8_000).began)).toEqual([0]);
  });

  it('recovers when the lag reaches 0, and never stalls at lag 0 however long the offset sits still', () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    stalls.observe([row(0, '10', '15')], 0);
    stalls.observe([row(0, '10', '15')], 3_000);

    // A log-end at the committed offset (records removed by retention, say) with no commit: lag 0.
    const drained = stalls.observe([row(0, '10', '10')], 4_000);
    expect(drained.recovered).toEqual([expect.objectContaining({ partition: 0, lag: '0', stalledForMs: 4_000 })]);
    expect(stalls.observe([row(0, '10', '10')], 60_000)).toEqual({ stalled: [], began: [], recovered: [] });
  });

  it('starts the clock at the first reading with lag, not at the last commit: an idle partition is not stalled at once', () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    stalls.observe([row(0, '10', '10')], 0);
    expect(stalls.observe([row(0, '10', '11')], 60_000).stalled).toEqual([]);
    expect(partitionsOf(stalls.observe([row(0, '10', '11')], 62_000).stalled)).toEqual([0]);
  });

  it("skips partitions the group never committed to ('-'), as the lag gauge does", () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    stalls.observe([row(0, '-', '15'), row(1, '3', '9')], 0);
    expect(partitionsOf(stalls.observe([row(0, '-', '15'), row(1, '3', '9')], 10_000).stalled)).toEqual([1]);
  });

  it('tells groups, topics and partitions apart', () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    const monitorRow = { ...row(0, '4', '8'), group: 'monitor' };
    const otherTopic = { ...row(0, '4', '8'), topic: 'red-packet.granted' };
    stalls.observe([row(0, '4', '8'), monitorRow, otherTopic], 0);

    const reading = stalls.observe([row(0, '5', '8'), monitorRow, otherTopic], 2_000);
    expect(reading.stalled.map((s) => `${s.group}/${s.topic}`)).toEqual([
      'monitor/order.purchased',
      'reward-service/red-packet.granted',
    ]);
  });

  it('forgets a partition that is no longer reported, so it comes back with a fresh clock', () => {
    const stalls = new StalledPartitions(STALL_AFTER_MS);
    stalls.observe([row(0, '10', '15')], 0);
    expect(stalls.observe([], 1_000)).toEqual({ stalled: [], began: [], recovered: [] });
    expect(stalls.observe([row(0, '10', '15')], 2_500).stalled).toEqual([]);
  });
});
