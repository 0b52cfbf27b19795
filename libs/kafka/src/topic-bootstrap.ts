import { RedpacketError } from '@redpacket/errors';
import type { Admin, ITopicConfig } from 'kafkajs';
import { kafkaErrorType } from './kafka-errors';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  /** Topic-level settings beyond the broker's defaults. */
  config?: Record<string, string>;
}

export class TopicMismatchError extends RedpacketError {
  readonly code = 'TOPIC_MISMATCH';
  readonly retriable = false;
}

/**
 * Creates missing topics through the admin API (brokers never auto-create them here).
 * An existing topic with fewer partitions than asked is an error, not something to "fix":
 * adding partitions moves keys to new partitions and breaks per-user ordering.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) await createWithLeaders(admin, missing);
  const present = specs.filter((spec) => existing.has(spec.topic));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
    for (const spec of present) {
      const found = metadata.topics.find((t) => t.name === spec.topic)?.partitions.length ?? 0;
      if (found < spec.numPartitions) {
        throw new TopicMismatchError(
          `topic ${spec.topic} has ${found} partitions, ${spec.numPartitions} are configured`,
        );
      }
    }
  }
  return missing.map((spec) => spec.topic);
}

function toTopicConfig(spec: TopicSpec): ITopicConfig {
  return {
    topic: spec.topic,
    numPartitions: spec.numPartitions,
    replicationFactor: spec.replicationFactor,
    // With three replicas, acks=all only means something if two must hold the write.
    configEntries: [
      ...(spec.replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : []),
      ...Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
    ],
  };
}

/** A new cluster may briefly answer "does not host this topic-partition" while leaders are elected. */
async function createWithLeaders(admin: Admin, specs: TopicSpec[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.createTopics({ topics: specs.map(toTopicConfig), waitForLeaders: true });
      return;
    } catch (error) {
      const type = kafkaErrorType(error);
      const transient = type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
      if (!transient || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
