import type { Admin } from 'kafkajs';
import { pollUntil } from '../../scripts/infra/process-utils';

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
