import { EVENT_HEADERS } from '@redpacket/contracts';
import type { DataSource } from 'typeorm';
import { get, seriesValue } from '../../testkit/system/monitor-client';
import type { RunningApp, SystemUnderTest } from '../../testkit/system/system';
import { TopicReader } from '../../testkit/support/topic-reader';
import { pollUntil } from '../../testkit/infra/process-utils';
import type { AnsweredOrder } from './order-load';
import {
  breakDown,
  grantCommitMeanMs,
  type HistogramTotals,
  type OrderTimeline,
  type StageBreakdown,
} from './stage-breakdown';
import { log } from './stats';

const GRANT_LATENCY = 'redpacket_grant_latency_seconds';

/** What the database holds of one order's way: every instant as epoch milliseconds. */
interface StoredInstants {
  order_id: string;
  event_id: string;
  order_started: string;
  acked: string;
  grant_started: string;
}

interface RecordedLoad {
  answered: AnsweredOrder[];
  stored: StoredInstants[];
  grants: HistogramTotals;
}

/**
 * Collects, load by load, what marks each stage of an order's way: the client's send and 201 times,
 * the three instants in the tables, and what the reward service's grant-latency histogram added.
 * The Kafka record timestamps are read once after the last load, with a reader of its own, so no
 * extra consumer competes for the CPU while a load runs.
 */
export class StageRecorder {
  private readonly loads: RecordedLoad[] = [];

  constructor(
    private readonly system: SystemUnderTest,
    private readonly rewards: RunningApp,
    private readonly dataSource: DataSource,
  ) {}

  /** Where the grant histogram stands before a load. */
  histogramNow(): Promise<HistogramTotals> {
    return grantHistogram(this.rewards);
  }

  /** After a load whose packets have all arrived (or the wait for them gave up). */
  async record(userPrefix: string, answered: AnsweredOrder[], before: HistogramTotals, packets: number): Promise<void> {
    // A grant is observed just after its commit, which is when its packet becomes visible: wait for the last ones.
    const after = await pollUntil(
      'the grant histogram to count every packet of the load',
      async () => {
        const now = await grantHistogram(this.rewards);
        return now.count - before.count >= packets ? now : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    ).catch((error: Error) => {
      // The breakdown then leaves the grant's own time unknown rather than mixing in other grants.
      log(`${userPrefix}: ${error.message}`);
      return grantHistogram(this.rewards);
    });
    const stored = await this.dataSource.query<StoredInstants[]>(
      `SELECT o.order_id, p.event_id,
              extract(epoch FROM o.created_at) * 1000 AS order_started,
              extract(epoch FROM x.published_at) * 1000 AS acked,
              extract(epoch FROM p.granted_at) * 1000 AS grant_started
         FROM ordering.orders o
         JOIN rewards.red_packets p USING (order_id)
         JOIN ordering.outbox x ON x.event_id = p.event_id
        WHERE o.user_id LIKE $1`,
      [`${userPrefix}-%`],
    );
    this.loads.push({
      answered,
      stored,
      grants: { sumSeconds: after.sumSeconds - before.sumSeconds, count: after.count - before.count },
    });
  }

  /** One breakdown per recorded load, in the order they were recorded. */
  async breakdowns(): Promise<StageBreakdown[]> {
    const sentAt = await this.sendTimestamps();
    return this.loads.map((load) => {
      const client = new Map(load.answered.map((order) => [order.orderId, order]));
      const timelines: OrderTimeline[] = [];
      for (const row of load.stored) {
        const answered = client.get(row.order_id);
        const sendStartedAtMs = sentAt.get(row.event_id);
        if (!answered || sendStartedAtMs === undefined) continue;
        timelines.push({
          sentAtMs: answered.sentAtMs,
          answeredAtMs: answered.answeredAtMs,
          orderStartedAtMs: Number(row.order_started),
          sendStartedAtMs,
          ackedAtMs: Number(row.acked),
          grantStartedAtMs: Number(row.grant_started),
        });
      }
      // occurredAt, which the histogram counts from, is created_at cut to the millisecond.
      const afterOccurred = load.stored.map((row) => Number(row.grant_started) - Math.floor(Number(row.order_started)));
      return breakDown(timelines, grantCommitMeanMs(load.grants, afterOccurred));
    });
  }

  /** Every event's CreateTime on the order topic; a resent event keeps its first. */
  private async sendTimestamps(): Promise<Map<string, number>> {
    const group = `${this.system.group}.stage-timestamps`;
    const reader = await TopicReader.start(this.system.kafka, this.system.topic, group);
    try {
      await reader.waitForEndOfTopic(this.system.admin, 120_000);
    } finally {
      await reader.stop();
    }
    const sentAt = new Map<string, number>();
    for (const message of reader.messages) {
      const eventId = message.headers?.[EVENT_HEADERS.eventId]?.toString();
      if (!eventId) continue;
      sentAt.set(eventId, Math.min(Number(message.timestamp), sentAt.get(eventId) ?? Infinity));
    }
    return sentAt;
  }
}

async function grantHistogram(rewards: RunningApp): Promise<HistogramTotals> {
  const exposition = await get(rewards, '/metrics');
  return {
    sumSeconds: seriesValue(exposition, `${GRANT_LATENCY}_sum`),
    count: seriesValue(exposition, `${GRANT_LATENCY}_count`),
  };
}
