import { type Admin, AssignerProtocol } from 'kafkajs';
import { type LagRow, partitionLag } from './lag-table';

/**
 * Reads, for every topic-partition a group has committed to, the committed offset, the log-end
 * offset, the lag and the member that owns it: what `kafka-consumer-groups.sh --describe` shows.
 */
export async function describeConsumerLag(admin: Admin, group: string): Promise<LagRow[]> {
  const [committedTopics, owners] = await Promise.all([
    admin.fetchOffsets({ groupId: group }),
    partitionOwners(admin, group),
  ]);
  const rows: LagRow[] = [];
  for (const { topic, partitions } of committedTopics) {
    const ends = await admin.fetchTopicOffsets(topic);
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

async function partitionOwners(admin: Admin, group: string): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  const { groups } = await admin.describeGroups([group]);
  for (const member of groups[0]?.members ?? []) {
    if (member.memberAssignment.length === 0) continue;
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {};
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) owners.set(`${topic}:${partition}`, member.memberId);
    }
  }
  return owners;
}
