import type { Admin } from 'kafkajs';
import { pollUntil } from '../infra/process-utils';

/** Per-partition lag of a group on a topic: log-end offset minus committed offset. */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const lag = new Map<number, bigint>();
  for (const end of ends) {
    const commit = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
    const start = BigInt(end.low);
    const position = BigInt(commit) < 0n ? start : BigInt(commit);
    lag.set(end.partition, BigInt(end.high) - position);
  }
  return lag;
}

export function totalLag(lag: Map<number, bigint>): bigint {
  return [...lag.values()].reduce((a, b) => a + b, 0n);
}

/** Waits until the group has committed everything on the topic: every event was consumed. */
export async function waitForGroupCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<void> {
  let last = new Map<number, bigint>();
  await pollUntil(
    `group ${groupId} to reach lag 0 on ${topic}`,
    async () => {
      last = await groupLag(admin, groupId, topic);
      return totalLag(last) === 0n ? true : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  ).catch((error: Error) => {
    throw new Error(
      `${error.message}; last lag per partition: ${JSON.stringify(Object.fromEntries([...last].map(([p, l]) => [p, String(l)])))}`,
    );
  });
}

/** What a membership watch saw: every distinct member id, and every state the group passed through. */
export interface MembershipSeen {
  memberIds: string[];
  states: string[];
  samples: number;
}

/**
 * Samples a group's description while a scenario runs, to prove no member was evicted: an evicted
 * member rejoins under a new member id, and the group passes through PreparingRebalance.
 */
export function watchGroupMembers(
  admin: Admin,
  groupId: string,
  intervalMs = 250,
): { stop(): Promise<MembershipSeen> } {
  const memberIds = new Set<string>();
  const states = new Set<string>();
  let samples = 0;
  let sampling: Promise<void> = Promise.resolve();
  const sample = async () => {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (!group) return;
    samples += 1;
    states.add(group.state);
    for (const member of group.members) memberIds.add(member.memberId);
  };
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await sampling;
      await sample();
      return { memberIds: [...memberIds], states: [...states], samples };
    },
  };
}
