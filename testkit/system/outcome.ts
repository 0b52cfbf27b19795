import { randomUUID } from 'node:crypto';
import { DEFAULT_REWARD_RULE, rewardFor } from '@redpacket/rewards';
import { EVENT_HEADERS } from '@redpacket/contracts';
import { TopicReader } from '../support/topic-reader';
import type { SystemUnderTest } from './system';
import { groupLag, totalLag } from '../support/consumer-group';

/** What a scenario ended with, measured from the database and the broker, never from the apps. */
export interface ScenarioOutcome {
  orders: number;
  /** Qualifying orders: each must end with exactly one packet. */
  expected: number;
  granted: number;
  /** Credits beyond one per packet (a wallet's version counts its credits). */
  double: number;
  /** Qualifying orders without a packet. */
  missing: number;
  /** Ineligible orders that got a packet anyway. */
  wronglyGranted: number;
  /** Wallets whose balance differs from the sum of their packets. */
  walletMismatches: number;
  lag: number;
  deadLetters: number;
  /**
   * Events of one key (a user) that reached Kafka after a later one of the same key: read back from the
   * topic, the first copy of each event, against the order its outbox rows were written in.
   */
  inversions: number;
}

/** What an outcome must match when the guarantees hold: nothing double, missing, misgranted or out of order. */
export function invariantsHeld(deadLetters = 0): Partial<ScenarioOutcome> {
  return { double: 0, missing: 0, wronglyGranted: 0, walletMismatches: 0, lag: 0, deadLetters, inversions: 0 };
}

export function passes(outcome: ScenarioOutcome, expectedDeadLetters = 0): boolean {
  return (
    outcome.missing === 0 &&
    outcome.double === 0 &&
    outcome.wronglyGranted === 0 &&
    outcome.walletMismatches === 0 &&
    outcome.lag === 0 &&
    outcome.deadLetters === expectedDeadLetters &&
    outcome.inversions === 0
  );
}

export async function measureOutcome(system: SystemUnderTest): Promise<ScenarioOutcome> {
  const prefix = `${system.userPrefix}-%`;
  const orders = await system.dataSource.query<
    { order_id: string; item_count: number; total_cents: string; packets: string }[]
  >(
    `SELECT o.order_id, o.item_count, o.total_cents,
            (SELECT count(*) FROM rewards.red_packets p WHERE p.order_id = o.order_id) AS packets
       FROM ordering.orders o WHERE o.user_id LIKE $1`,
    [prefix],
  );
  const wallets = await system.dataSource.query<
    { balance: string; version: string; packets: string; packet_sum: string }[]
  >(
    `SELECT w.balance_cents AS balance, w.version,
            (SELECT count(*) FROM rewards.red_packets p WHERE p.user_id = w.user_id) AS packets,
            (SELECT coalesce(sum(amount_cents), 0) FROM rewards.red_packets p WHERE p.user_id = w.user_id) AS packet_sum
       FROM rewards.wallets w WHERE w.user_id LIKE $1`,
    [prefix],
  );
  const qualifies = (o: { item_count: number; total_cents: string }) =>
    rewardFor({ itemCount: o.item_count, totalCents: Number(o.total_cents) }, DEFAULT_REWARD_RULE) > 0;
  const qualifying = orders.filter(qualifies);
  const [deadLetterOffsets, lag, inversions] = await Promise.all([
    system.admin.fetchTopicOffsets(system.deadLetterTopic),
    groupLag(system.admin, system.group, system.topic),
    countInversions(system),
  ]);
  return {
    orders: orders.length,
    expected: qualifying.length,
    granted: qualifying.filter((o) => Number(o.packets) > 0).length,
    double: wallets.reduce((sum, w) => sum + Math.max(0, Number(w.version) - Number(w.packets)), 0),
    missing: qualifying.filter((o) => Number(o.packets) === 0).length,
    wronglyGranted: orders.filter((o) => !qualifies(o) && Number(o.packets) > 0).length,
    walletMismatches: wallets.filter((w) => w.balance !== w.packet_sum).length,
    lag: Number(totalLag(lag)),
    deadLetters: deadLetterOffsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0),
    inversions,
  };
}

/**
 * Reads the whole order topic back and counts, per key, the events that arrived after a later one: an
 * event's place is its outbox row's id (the order it was written in). Only the first copy of an event
 * counts (a scenario may re-produce the topic); messages without an outbox row (probes, forgeries) are
 * skipped.
 */
async function countInversions(system: SystemUnderTest): Promise<number> {
  const rows = await system.dataSource.query<{ event_id: string; id: string }[]>(
    `SELECT event_id, id FROM ordering.outbox WHERE topic = $1 AND message_key LIKE $2`,
    [system.topic, `${system.userPrefix}-%`],
  );
  const place = new Map(rows.map((row) => [row.event_id, BigInt(row.id)]));
  const offsets = await system.admin.fetchTopicOffsets(system.topic);
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  // A group of its own each time: a group that read the topic before would resume after its commits.
  const group = `${system.namespace}.inversions-${randomUUID().slice(0, 8)}`;
  const reader = await TopicReader.start(system.kafka, system.topic, group);
  try {
    await reader.waitFor(`all ${total} messages of ${system.topic}`, (messages) => messages.length >= total, 60_000);
    const lastPlace = new Map<string, bigint>();
    const seen = new Set<string>();
    let inversions = 0;
    const inOffsetOrder = [...reader.messages].sort(
      (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
    );
    for (const message of inOffsetOrder) {
      const eventId = message.headers?.[EVENT_HEADERS.eventId]?.toString() ?? '';
      const at = place.get(eventId);
      if (at === undefined || seen.has(eventId)) continue;
      seen.add(eventId);
      const key = message.key?.toString() ?? '';
      if (at < (lastPlace.get(key) ?? -1n)) inversions += 1;
      else lastPlace.set(key, at);
    }
    return inversions;
  } finally {
    await reader.stop();
  }
}
