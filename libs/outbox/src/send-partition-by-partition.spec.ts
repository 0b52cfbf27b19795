import { type OutgoingMessage, UnacknowledgedPartitionsError, withRouting } from '@redpacket/kafka';
import { sendPartitionByPartition } from './send-partition-by-partition';
import type { EventSender } from './outbox.types';

const messages: OutgoingMessage[] = ['a', 'b', 'c', 'd'].map((key) => ({ key, value: key, headers: {} }));
const routing = [0, 1, 0, 2];

/** A sender whose first answer is `first`; later sends succeed unless a partition is in `failing`. */
function sender(first: () => Error, failing: number[] = []): EventSender & { sends: OutgoingMessage[][] } {
  const sends: OutgoingMessage[][] = [];
  return {
    sends,
    async send(_topic, batch) {
      sends.push(batch);
      await Promise.resolve();
      if (sends.length === 1) throw withRouting(first(), routing);
      if (batch.some((message) => failing.includes(message.partition ?? -1)))
        throw Object.assign(new Error('too few replicas'), { type: 'NOT_ENOUGH_REPLICAS' });
      return batch.map((message) => ({ topic: 'orders', partition: message.partition ?? 0, baseOffset: '0' }));
    },
  };
}

describe('sendPartitionByPartition', () => {
  it('counts the partitions Kafka acknowledged and sends nothing again', async () => {
    const to = sender(() => new UnacknowledgedPartitionsError('orders', [0]));
    const outcome = await sendPartitionByPartition(to, 'orders', messages);
    expect(outcome.acknowledged).toEqual([false, true, false, true]);
    expect(outcome.error).toBeInstanceOf(UnacknowledgedPartitionsError);
    expect(to.sends).toHaveLength(1);
  });

  it("sends again partition by partition after a partition's error, each key's messages together", async () => {
    const to = sender(() => Object.assign(new Error('too few replicas'), { type: 'NOT_ENOUGH_REPLICAS' }), [0]);
    const outcome = await sendPartitionByPartition(to, 'orders', messages);
    expect(outcome.acknowledged).toEqual([false, true, false, true]);
    expect(to.sends.slice(1).map((batch) => batch.map((message) => message.key))).toEqual([['a', 'c'], ['b'], ['d']]);
  });

  it('sends nothing again after a connection error, which fails every partition alike', async () => {
    const to = sender(() => Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }));
    const outcome = await sendPartitionByPartition(to, 'orders', messages);
    expect(outcome.acknowledged).toEqual([false, false, false, false]);
    expect(to.sends).toHaveLength(1);
  });
});
