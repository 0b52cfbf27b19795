import type { GroupConsumerFactory, SystemTopicsBootstrap } from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import type { LagRow } from '../consumer-lag/lag-table';
import type { SentProbe } from './pending-probes';
import type { ProbeAlert } from './probe-alerter';
import { ProbeWatch } from './probe-watch';

type Alert = Omit<ProbeAlert, 'thresholdMs'>;

/** A reader that never joins (Kafka away): the watch must write and judge commits without it. */
const clients = {
  groupConsumer: () => ({ start: () => new Promise<never>(() => undefined), stop: () => Promise.resolve() }),
} as unknown as GroupConsumerFactory;
const topics = { whenEnsured: () => new Promise<never>(() => undefined) } as unknown as SystemTopicsBootstrap;

function watchWith(writeAll: () => Promise<SentProbe[]>, thresholdMs = 60_000) {
  const alerts: Alert[] = [];
  let heard: (alert: Alert) => void = () => undefined;
  const nextAlert = () => new Promise<Alert>((resolve) => (heard = resolve));
  const watch = new ProbeWatch(clients, topics, { writeAll }, new Metrics(), {
    topic: 'orders',
    readerGroup: 'monitor',
    intervalMs: 20,
    alerts: { thresholdMs },
  });
  watch.onAlert((alert) => {
    alerts.push(alert);
    heard(alert);
  });
  return { watch, alerts, nextAlert };
}

const commit = (partition: number, offset: string): LagRow => ({
  group: 'rewards',
  topic: 'orders',
  partition,
  currentOffset: offset,
  logEndOffset: offset,
  lag: '0',
  consumerId: 'member-1',
});

describe('ProbeWatch', () => {
  it('counts a probe seen once the reward service commits past it, and alerts one it does not see in time', async () => {
    const sentAtMs = Date.now();
    let written!: () => void;
    const firstWrite = new Promise<void>((resolve) => (written = resolve));
    const { watch, alerts } = watchWith(async () => {
      written();
      return [
        { partition: 0, offset: 5n, sentAtMs },
        { partition: 1, offset: 7n, sentAtMs },
      ];
    }, 1_000);
    watch.start();
    try {
      await firstWrite;
      // Offset 6 is past partition 0's probe (offset 5); 7 is not past partition 1's.
      watch.committed([commit(0, '6'), commit(1, '7')], 'rewards', sentAtMs + 10);
      expect(alerts).toEqual([]);

      watch.committed([commit(0, '6'), commit(1, '7')], 'rewards', sentAtMs + 5_000);
      const rewardAlerts = alerts.filter((alert) => alert.observer === 'reward-service');
      expect(rewardAlerts).toEqual([expect.objectContaining({ reason: 'not-arrived', partition: 1 })]);
      expect(watch.alertsRaised).toBe(alerts.length);
    } finally {
      await watch.stop();
    }
  });

  it('says it is blind and alerts once writes have failed for an interval, and sees again when they succeed', async () => {
    let failing = true;
    const { watch, nextAlert } = watchWith(async () => {
      if (failing) throw new Error('the order service answered 503 to a probe write');
      return [];
    });
    const blind = nextAlert();
    watch.start();
    try {
      expect(await blind).toMatchObject({ observer: 'monitor', reason: 'not-written' });
      expect(watch.reading(Date.now())).toMatchObject({ blind: true });

      failing = false;
      const before = watch.written;
      await new Promise<void>((resolve) => {
        const check = () => (watch.written > before ? resolve() : setImmediate(check));
        check();
      });
      expect(watch.reading(Date.now())).toMatchObject({ blind: false, failingForMs: 0 });
    } finally {
      await watch.stop();
    }
  });
});
