import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Admin, AssignerProtocol, ConfigResourceTypes, Kafka } from 'kafkajs';

/** A group's committed offsets, per topic; '-1' where the group has none. */
export interface GroupOffsets {
  topic: string;
  partitions: { partition: number; offset: string }[];
}

/** The admin reads consumer-lag reporting needs. */
export interface ConsumerGroupAdmin {
  committedOffsets(groupId: string): Promise<GroupOffsets[]>;
  /** The log-end offset (high watermark) of every partition of the topic. */
  endOffsets(topic: string): Promise<{ partition: number; high: string }[]>;
  /** `topic:partition` → the member id that owns it, for the members that hold an assignment. */
  partitionOwners(groupId: string): Promise<Map<string, string>>;
}

/**
 * The admin calls the apps make, as plain values: nothing outside libs/kafka sees a client's types.
 * One connection, opened on first use and closed on shutdown.
 */
@Injectable()
export class KafkaAdmin implements ConsumerGroupAdmin, OnApplicationShutdown {
  private readonly admin: Admin;

  constructor(@Inject(Kafka) kafka: Kafka) {
    this.admin = kafka.admin();
  }

  /** For libs/kafka's own work on the client (topic bootstrap, ACLs). */
  async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    await this.admin.connect();
    return work(this.admin);
  }

  partitionsOf(topic: string): Promise<number[]> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return (topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
    });
  }

  /** A topic's configuration value (retention.ms, ...) as the broker reports it. */
  topicConfig(topic: string, name: string): Promise<string | undefined> {
    return this.withAdmin(async (admin) => {
      const described = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }],
        includeSynonyms: false,
      });
      return described.resources[0]?.configEntries.find((entry) => entry.configName === name)?.configValue;
    });
  }

  groupIds(): Promise<string[]> {
    return this.withAdmin(async (admin) => (await admin.listGroups()).groups.map((group) => group.groupId));
  }

  committedOffsets(groupId: string): Promise<GroupOffsets[]> {
    return this.withAdmin((admin) => admin.fetchOffsets({ groupId }));
  }

  endOffsets(topic: string): Promise<{ partition: number; high: string }[]> {
    return this.withAdmin((admin) => admin.fetchTopicOffsets(topic));
  }

  partitionOwners(groupId: string): Promise<Map<string, string>> {
    return this.withAdmin(async (admin) => {
      const owners = new Map<string, string>();
      const { groups } = await admin.describeGroups([groupId]);
      for (const member of groups[0]?.members ?? []) {
        if (member.memberAssignment.length === 0) continue;
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {};
        for (const [topic, partitions] of Object.entries(assignment)) {
          for (const partition of partitions) owners.set(`${topic}:${partition}`, member.memberId);
        }
      }
      return owners;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
