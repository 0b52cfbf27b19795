import type { ConsumerGroupAdmin } from '@redpacket/kafka';
import { type LagRow, partitionLag } from './lag-table';

/**
 * Reads, for every topic-partition a group has committed to, the committed offset, the log-end
 * offset, the lag and the member that owns it: what `kafka-consumer-groups.sh --describe` shows.
 */
export async function describeConsumerLag(admin: ConsumerGroupAdmin, group: string): Promise<LagRow[]> {
  const [committedTopics, owners] = await Promise.all([admin.committedOffsets(group), admin.partitionOwners(group)]);
  const rows: LagRow[] = [];
  for (const { topic, partitions } of committedTopics) {
    const ends = await admin.endOffsets(topic);
    for (const end of ends) {
      const committed = partitions.find((p) => p.partition === end.partition)?.offset;
      rows.push({
        group,
        topic,
        partition: end.partition,
        currentOffset: committed === undefined || BigInt(committed) < 0n ? '-' : committed,
        logEndOffset: end.high,
        lag: partitionLag(committed, end.high),
        consumerId: owners.get(`${topic}:${end.partition}`) ?? '-',
      });
    }
  }
  return rows;
}
