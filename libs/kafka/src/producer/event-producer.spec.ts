import { assertEveryPartitionAcknowledged, UnacknowledgedPartitionsError } from './event-producer';

const record = (partition: number, errorCode = 0) => ({ topic: 'orders', partition, errorCode });

describe('assertEveryPartitionAcknowledged', () => {
  it('accepts a send acknowledged on every partition it was routed to', () => {
    expect(() => assertEveryPartitionAcknowledged('orders', new Set([0, 2]), [record(0), record(2)])).not.toThrow();
  });

  it('refuses a "successful" send that skipped a partition (kafkajs #1303)', () => {
    expect(() => assertEveryPartitionAcknowledged('orders', new Set([0, 1, 2]), [record(0), record(2)])).toThrow(
      UnacknowledgedPartitionsError,
    );
  });

  it('refuses a partition answered with an error code', () => {
    expect(() => assertEveryPartitionAcknowledged('orders', new Set([1]), [record(1, 6)])).toThrow('partition(s) 1');
  });
});
