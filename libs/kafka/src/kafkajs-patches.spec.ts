import Cluster from 'kafkajs/src/cluster';
import { patchKafkajs } from './kafkajs-patches';

interface Partition {
  partitionId: number;
  partitionErrorCode: number;
  leader: number;
}

const LEADER_NOT_AVAILABLE = 5;
const NOT_LEADER_OR_FOLLOWER = 6;

function metadataParser(
  version: number,
): (data: unknown) => Promise<{ topicMetadata: { partitionMetadata: Partition[] }[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`kafkajs/src/protocol/requests/metadata/v${version}/response`) as { parse: never }).parse;
}

const answer = (partitions: Partition[], topicErrorCode = 0) => ({
  brokers: [],
  topicMetadata: [{ topic: 'orders', topicErrorCode, partitionMetadata: partitions }],
});

describe('kafkajs with one partition without a leader', () => {
  beforeAll(() => patchKafkajs());

  const led = { partitionId: 1, partitionErrorCode: 0, leader: 2 };
  const leaderless = { partitionId: 0, partitionErrorCode: LEADER_NOT_AVAILABLE, leader: -1 };

  it.each([0, 1, 2, 3, 4, 5, 6])('keeps the leaderless partition in a metadata answer (v%i)', async (version) => {
    const parsed = await metadataParser(version)(answer([leaderless, led]));
    expect(parsed.topicMetadata[0].partitionMetadata).toEqual([{ ...leaderless, partitionErrorCode: 0 }, led]);
  });

  it('still fails an answer with a topic error or another partition error', async () => {
    await expect(metadataParser(6)(answer([led], 3))).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(
      metadataParser(6)(answer([{ partitionId: 0, partitionErrorCode: NOT_LEADER_OR_FOLLOWER, leader: 1 }, led])),
    ).rejects.toMatchObject({ type: expect.stringMatching(/^NOT_LEADER/) });
  });

  it('routes nothing to the leaderless partition and expires the metadata, so the next send asks again', () => {
    const cluster = {
      brokerPool: { metadataExpireAt: (Date.now() + 300_000) as number | null },
      findTopicPartitionMetadata: () => [
        { partitionId: 0, partitionErrorCode: 0, leader: -1 },
        { partitionId: 1, partitionErrorCode: 0, leader: 2 },
        { partitionId: 2, partitionErrorCode: 0, leader: 3 },
      ],
    };
    const { findLeaderForPartitions } = (
      Cluster as unknown as {
        prototype: { findLeaderForPartitions: (this: unknown, topic: string, partitions: string[]) => unknown };
      }
    ).prototype;
    expect(findLeaderForPartitions.call(cluster, 'orders', ['1', '2'])).toEqual({ 2: [1], 3: [2] });
    expect(cluster.brokerPool.metadataExpireAt).not.toBeNull();
    expect(findLeaderForPartitions.call(cluster, 'orders', ['0', '1', '2'])).toEqual({ 2: [1], 3: [2] });
    expect(cluster.brokerPool.metadataExpireAt).toBeNull();
  });
});
