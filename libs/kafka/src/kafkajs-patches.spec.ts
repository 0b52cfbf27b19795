import Cluster from 'kafkajs/src/cluster';
import OffsetManager from 'kafkajs/src/consumer/offsetManager';
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

describe('kafkajs when the group coordinator moves during a generation', () => {
  beforeAll(() => patchKafkajs());

  /** A broker as the offset manager sees it: it records the commits it accepted. */
  function broker(answer: () => Promise<void>) {
    const accepted: unknown[] = [];
    return {
      accepted,
      isConnected: () => true,
      offsetCommit: async (payload: unknown) => {
        await answer();
        accepted.push(payload);
      },
    };
  }

  function offsetManager(coordinator: ReturnType<typeof broker>, newCoordinator: ReturnType<typeof broker>) {
    const lookups: string[] = [];
    const committed = {};
    const cluster = {
      committedOffsets: () => committed,
      refreshMetadata: async () => undefined,
      findGroupCoordinator: async ({ groupId }: { groupId: string }) => {
        lookups.push(groupId);
        return newCoordinator;
      },
    };
    const manager = new OffsetManager({
      cluster,
      coordinator,
      memberAssignment: { orders: [0] },
      topicConfigurations: {},
      instrumentationEmitter: { emit: () => undefined },
      groupId: 'rewards',
      generationId: 7,
      memberId: 'member-1',
    }) as unknown as { commitOffsets(offsets: unknown): Promise<void> };
    return { manager, lookups };
  }

  const offsets = { topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '5' }] }] };

  it.each([
    [
      'refused the commit as not the coordinator',
      Object.assign(new Error('not the coordinator'), { type: 'NOT_COORDINATOR_FOR_GROUP' }),
    ],
    ['could not be reached', Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' })],
  ])('sends the next commit to the coordinator looked up again, after the old one %s', async (_, error) => {
    const old = broker(() => Promise.reject(error));
    const moved = broker(() => Promise.resolve());
    const { manager, lookups } = offsetManager(old, moved);

    await expect(manager.commitOffsets(offsets)).rejects.toBe(error);
    await manager.commitOffsets(offsets);

    expect(lookups).toEqual(['rewards']);
    expect(moved.accepted).toEqual([{ groupId: 'rewards', memberId: 'member-1', groupGenerationId: 7, ...offsets }]);
  });

  it('keeps the coordinator it has after any other failure', async () => {
    const refusal = Object.assign(new Error('generation is over'), { type: 'ILLEGAL_GENERATION' });
    let refuse = true;
    const coordinator = broker(() => (refuse ? Promise.reject(refusal) : Promise.resolve()));
    const { manager, lookups } = offsetManager(
      coordinator,
      broker(() => Promise.resolve()),
    );

    await expect(manager.commitOffsets(offsets)).rejects.toBe(refusal);
    refuse = false;
    await manager.commitOffsets(offsets);

    expect(lookups).toEqual([]);
    expect(coordinator.accepted).toHaveLength(1);
  });
});
