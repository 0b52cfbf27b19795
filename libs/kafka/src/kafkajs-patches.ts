import Cluster from 'kafkajs/src/cluster';
import RequestQueue from 'kafkajs/src/network/requestQueue';
import ConsumerGroup from 'kafkajs/src/consumer/consumerGroup';
import OffsetManager from 'kafkajs/src/consumer/offsetManager';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
}

let patched = false;

/**
 * kafkajs 2.2.4 re-arms a timer on every connection even when nothing is pending and nothing is
 * throttled (kafkajs #1556, #1704): `throttledUntil - Date.now()` is negative, so the timer fires
 * at once, checks an empty queue and re-arms itself, about a thousand times a second per broker
 * connection. Idle apps burn CPU on it, and Node 24 prints a TimeoutNegativeWarning for it
 * (kafkajs #1751). The patch returns early in exactly that case; a request pushed later
 * schedules its own check, as before.
 */
export function patchKafkajs(): void {
  if (patched) return;
  patched = true;
  patchIdleTimer();
  patchLeaderlessPartitions();
  patchMovedCoordinator();
}

function patchIdleTimer(): void {
  const prototype = (RequestQueue as unknown as { prototype: RequestQueueInternals }).prototype;
  const { scheduleCheckPendingRequests: schedule } = prototype;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    const throttled = this.throttledUntil > Date.now();
    if (this.pending.length === 0 && !throttled) return;
    schedule.call(this);
  };
}

interface PartitionMetadata {
  partitionId: number;
  partitionErrorCode: number;
  leader: number;
}

interface MetadataResponse {
  topicMetadata: { topicErrorCode: number; partitionMetadata: PartitionMetadata[] }[];
}

interface ClusterInternals {
  brokerPool: { metadataExpireAt: number | null };
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findLeaderForPartitions: (
    this: ClusterInternals,
    topic: string,
    partitions: (number | string)[],
  ) => Record<string, number[]>;
}

interface ConsumerGroupInternals {
  cluster: ClusterInternals;
  findReadReplicaForPartitions: (
    this: ConsumerGroupInternals,
    topic: string,
    partitions: number[],
  ) => Record<string, number[]>;
}

const LEADER_NOT_AVAILABLE = 5;
const METADATA_VERSIONS = [0, 1, 2, 3, 4, 5, 6];

/**
 * kafkajs 2.2.4 fails a whole metadata answer when any one partition in it has no leader (its parser
 * throws the first partition error code), so a topic with one leaderless partition can be neither written
 * nor read, on any partition. The Java client treats such a partition as unavailable and goes on with the
 * others; so does this patch:
 * - a metadata answer keeps a leaderless partition, with leader -1 (topic errors and other partition
 *   errors still fail it, as before);
 * - a send routes no message to a partition with leader -1: they are left unacknowledged (the adapter
 *   checks every partition it routed to, and the outbox relay keeps those rows for a later send), and the
 *   cached metadata is expired, so the next send or fetch that meets the partition asks again;
 * - a consumer fetches every partition but the leaderless one, which it fetches again once it has a leader.
 */
function patchLeaderlessPartitions(): void {
  for (const version of METADATA_VERSIONS) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const response = require(`kafkajs/src/protocol/requests/metadata/v${version}/response`) as {
      parse: (data: MetadataResponse) => Promise<MetadataResponse>;
    };
    const { parse } = response;
    response.parse = (data) => parse(withoutLeaderlessErrors(data));
  }
  const cluster = (Cluster as unknown as { prototype: ClusterInternals }).prototype;
  const findLeaders = cluster.findLeaderForPartitions;
  cluster.findLeaderForPartitions = function (topic, partitions) {
    return findLeaders.call(this, topic, withLeader(this, topic, partitions.map(Number)));
  };
  const group = (ConsumerGroup as unknown as { prototype: ConsumerGroupInternals }).prototype;
  const findReadReplicas = group.findReadReplicaForPartitions;
  group.findReadReplicaForPartitions = function (topic, partitions) {
    return findReadReplicas.call(this, topic, withLeader(this.cluster, topic, partitions));
  };
}

/** The answer with leaderless partitions' error code cleared: the partitions stay, with leader -1. */
function withoutLeaderlessErrors(data: MetadataResponse): MetadataResponse {
  return {
    ...data,
    topicMetadata: data.topicMetadata.map((topic) => ({
      ...topic,
      partitionMetadata: topic.partitionMetadata.map((partition) =>
        partition.partitionErrorCode === LEADER_NOT_AVAILABLE && partition.leader < 0
          ? { ...partition, partitionErrorCode: 0 }
          : partition,
      ),
    })),
  };
}

/** The partitions that have a leader; meeting one without expires the metadata, to be asked again. */
function withLeader(cluster: ClusterInternals, topic: string, partitions: number[]): number[] {
  const leaderless = new Set(
    cluster
      .findTopicPartitionMetadata(topic)
      .filter((partition) => partition.leader < 0)
      .map((partition) => partition.partitionId),
  );
  const led = partitions.filter((partition) => !leaderless.has(partition));
  if (led.length < partitions.length) cluster.brokerPool.metadataExpireAt = null;
  return led;
}

interface OffsetManagerInternals {
  groupId: string;
  coordinator: unknown;
  cluster: { findGroupCoordinator(options: { groupId: string }): Promise<unknown> };
  getCoordinator: (this: OffsetManagerInternals) => Promise<unknown>;
  commitOffsets: (this: OffsetManagerInternals, offsets?: unknown) => Promise<void>;
}

/** Offset managers whose coordinator refused a commit or could not be reached: asked for again. */
const staleCoordinators = new WeakSet<OffsetManagerInternals>();

/**
 * kafkajs 2.2.4 sends a generation's commits to the broker that coordinated the group when the member
 * joined, for as long as the generation lasts: when that broker stops, or comes back no longer the
 * coordinator, every commit fails until something makes the member join again, though the group, its
 * members and their partitions are unchanged on the new coordinator. A commit that fails because the
 * coordinator moved or could not be reached makes the next one look the coordinator up again.
 */
function patchMovedCoordinator(): void {
  const manager = (OffsetManager as unknown as { prototype: OffsetManagerInternals }).prototype;
  const { getCoordinator, commitOffsets } = manager;
  manager.getCoordinator = async function () {
    if (staleCoordinators.has(this)) {
      this.coordinator = await this.cluster.findGroupCoordinator({ groupId: this.groupId });
      staleCoordinators.delete(this);
    }
    return getCoordinator.call(this);
  };
  manager.commitOffsets = async function (offsets) {
    try {
      await commitOffsets.call(this, offsets);
    } catch (error) {
      if (coordinatorMoved(error)) staleCoordinators.add(this);
      throw error;
    }
  };
}

function coordinatorMoved(error: unknown): boolean {
  const { type, name } = (error ?? {}) as { type?: string; name?: string };
  return (
    type === 'NOT_COORDINATOR_FOR_GROUP' ||
    type === 'COORDINATOR_NOT_AVAILABLE' ||
    name === 'KafkaJSConnectionError' ||
    name === 'KafkaJSRequestTimeoutError'
  );
}
