import type { StalledPartition } from '@redpacket/monitoring';
import type { Producer } from 'kafkajs';
import { pollUntil } from '../../testkit/infra/process-utils';
import { asMessage, orderPurchased } from '../../testkit/support/events';
import { get, logRecords, openLivePage, seriesLines, seriesValue } from '../../testkit/system/monitor-client';
import { type RunningApp, SystemUnderTest } from '../../testkit/system/system';

jest.setTimeout(120_000);

const STALL_AFTER_MS = 2_000;
const STALLED_SERIES = 'redpacket_consumer_partition_stalled_seconds';

interface MonitorSnapshot {
  lag: { group: string; partition: number; currentOffset: string; lag: string }[];
  stalled: StalledPartition[];
}

const waitFor = <T>(description: string, condition: () => Promise<T | undefined>, timeoutMs = 30_000) =>
  pollUntil(description, condition, { timeoutMs });

const snapshot = async (monitor: RunningApp) => JSON.parse(await get(monitor, '/api/snapshot')) as MonitorSnapshot;

// A system of its own: no reward service runs, so nothing but this test moves its group's offsets.
describe('a stalled partition, seen from Kafka alone while no consumer runs', () => {
  let system: SystemUnderTest;
  let monitor: RunningApp;
  let producer: Producer;

  beforeAll(async () => {
    system = new SystemUnderTest('inbox-tx');
    await system.start();
    // No probes: they would add messages to every partition on their own schedule.
    monitor = await system.startApp('monitor', {
      PROBES_ENABLED: 'false',
      MONITOR_POLL_INTERVAL_MS: '300',
      MONITOR_STALL_AFTER_MS: String(STALL_AFTER_MS),
      LOG_LEVEL: 'info',
    });
    producer = system.kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await system?.stop();
  });

  /** Messages straight into one partition of order.purchased, where nobody reads them. */
  const produceTo = (partition: number, count: number) =>
    producer.send({
      topic: system.topic,
      messages: Array.from({ length: count }, () => ({ ...asMessage(orderPurchased()), partition })),
    });

  /** Commits `offset` on partition 0 for the reward-service group, as a consumer that then died would have. */
  const commitPartition0 = (offset: string) =>
    system.admin.setOffsets({ groupId: system.group, topic: system.topic, partitions: [{ partition: 0, offset }] });

  it('lists it on the snapshot, /metrics, the log and the live page, and clears it once the offset moves', async () => {
    await produceTo(0, 3);
    await produceTo(1, 2);
    await commitPartition0('1');
    const { page, pageErrors, close } = await openLivePage(monitor);
    try {
      const stalled = await waitFor('the monitor to list partition 0 as stalled', async () => {
        const s = await snapshot(monitor);
        return s.stalled.length > 0 ? s : undefined;
      });
      // Partition 1 has lag too, but was never committed: it is skipped, as in the lag gauge.
      expect(stalled.lag).toContainEqual(expect.objectContaining({ group: system.group, partition: 1, lag: '-' }));
      expect(stalled.stalled).toEqual([
        {
          group: system.group,
          topic: system.topic,
          partition: 0,
          committedOffset: '1',
          lag: '2',
          stalledForMs: expect.any(Number) as number,
        },
      ]);
      expect(stalled.stalled[0].stalledForMs).toBeGreaterThanOrEqual(STALL_AFTER_MS);

      const exposition = await get(monitor, '/metrics');
      expect(seriesLines(exposition, STALLED_SERIES, { group: system.group })).toHaveLength(1);
      expect(
        seriesValue(exposition, STALLED_SERIES, { group: system.group, topic: system.topic, partition: '0' }),
      ).toBeGreaterThanOrEqual(STALL_AFTER_MS / 1_000);

      await waitFor('the page to list the stalled partition', async () =>
        (await page.locator('[data-testid="stalled"] tr').count()) === 1 ? true : undefined,
      );
      const shown = await page.locator('[data-testid="stalled"] tr td').allTextContents();
      expect(shown.slice(0, 5)).toEqual([system.group, system.topic, '0', '1', '2']);
      // The partition's row among the consumer groups is highlighted: committed 1, log end 3, lag 2.
      expect(await page.locator('#lag-rows tr.stalled td').allTextContents()).toEqual([
        system.group,
        '0',
        '1',
        '3',
        '2',
      ]);
      expect(await page.textContent('#status')).toBe('partition stalled');

      // The piped log follows the snapshot. The warning is written at the poll that crossed the bound, so
      // its stalledForMs shows the bound was kept; by now the monitor has polled several times and warned once.
      const [warned] = await waitFor('the monitor to log the stall', async () => {
        const records = logRecords(monitor, 'consumer partition stalled');
        return records.length > 0 ? records : undefined;
      });
      expect(warned).toMatchObject({
        level: 'warn',
        group: system.group,
        topic: system.topic,
        partition: 0,
        committedOffset: '1',
        lag: '2',
      });
      expect(warned.stalledForMs).toBeGreaterThanOrEqual(STALL_AFTER_MS);
      expect(logRecords(monitor, 'consumer partition stalled')).toHaveLength(1);

      await commitPartition0('3');
      const recovered = await waitFor('partition 0 to recover once its committed offset moved', async () => {
        const s = await snapshot(monitor);
        return s.stalled.length === 0 ? s : undefined;
      });
      expect(recovered.lag).toContainEqual(
        expect.objectContaining({ group: system.group, partition: 0, currentOffset: '3', lag: '0' }),
      );
      expect(seriesLines(await get(monitor, '/metrics'), STALLED_SERIES, { group: system.group })).toEqual([]);
      const [cleared] = await waitFor('the monitor to log the recovery', async () => {
        const records = logRecords(monitor, 'consumer partition recovered');
        return records.length > 0 ? records : undefined;
      });
      expect(cleared).toMatchObject({
        level: 'info',
        group: system.group,
        topic: system.topic,
        partition: 0,
        committedOffset: '3',
        lag: '0',
      });
      expect(cleared.stalledForMs).toBeGreaterThanOrEqual(STALL_AFTER_MS);

      await waitFor('the page to clear the stalled partition', async () =>
        (await page.locator('[data-testid="stalled"] tr').count()) === 0 ? true : undefined,
      );
      expect(await page.locator('#lag-rows tr.stalled').count()).toBe(0);
      expect(await page.textContent('#status')).toBe('healthy');
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
