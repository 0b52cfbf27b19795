import { formatLagTable, type LagRow, partitionLag } from './lag-table';

describe('partitionLag', () => {
  it('is log-end minus committed, exact beyond 2^53', () => {
    expect(partitionLag('10', '15')).toBe('5');
    expect(partitionLag('9007199254740993', '9007199254740995')).toBe('2');
  });

  it("is '-' where the group never committed, as Kafka prints it", () => {
    expect(partitionLag(undefined, '7')).toBe('-');
    expect(partitionLag('-1', '7')).toBe('-');
  });
});

describe('formatLagTable', () => {
  it('prints kafka-consumer-groups columns, aligned, sorted by topic and partition', () => {
    const row = (partition: number, current: string, end: string, consumer: string): LagRow => ({
      group: 'reward-service',
      topic: 'order.purchased',
      partition,
      currentOffset: current,
      logEndOffset: end,
      lag: partitionLag(current === '-' ? undefined : current, end),
      consumerId: consumer,
    });
    expect(formatLagTable([row(1, '-', '3', '-'), row(0, '12', '15', 'redpacket-1a2b')])).toBe(
      [
        'GROUP          TOPIC           PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID',
        'reward-service order.purchased 0         12             15             3   redpacket-1a2b',
        'reward-service order.purchased 1         -              3              -   -',
      ].join('\n'),
    );
  });
});
