import { randomUUID } from 'node:crypto';
import { newEventId } from '@redpacket/contracts';
import { Metrics } from '@redpacket/observability';
import { DataSource } from 'typeorm';
import { MonitorConfig } from '../../../apps/monitor/src/monitor.config';
import { MonitorModule } from '../../../apps/monitor/src/monitor.module';
import { SystemWatch } from '../../../apps/monitor/src/system-watch.service';
import { bootInProcess, type InProcessApp } from '../../../testkit/support/in-process-app';
import { testNamespace } from '../../../testkit/support/namespace';
import { createMigratedDatabase } from '../../../testkit/support/test-database';

const ALERT_LINE = '"message":"reconciliation repairs are pending"';

/** The pending repairs are global to a database: the monitor watches one of its own here. */
describe('the monitor and the pending repairs', () => {
  let database: { url: string; drop(): Promise<void> };
  let monitor: InProcessApp;
  let watch: SystemWatch;
  let dataSource: DataSource;
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    database = await createMigratedDatabase('monitor_pending');
    process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(chunk.toString());
      return write(chunk, ...rest);
    };
    monitor = await bootInProcess(
      { name: 'monitor', config: MonitorConfig, module: (config) => MonitorModule.register(config) },
      {
        DATABASE_URL: database.url,
        KAFKA_NAMESPACE: testNamespace(__filename),
        PROBES_ENABLED: 'false',
        // The test polls; the schedule's own polls wait this long.
        MONITOR_POLL_INTERVAL_MS: '300000',
        MONITOR_POLL_MAX_INTERVAL_MS: '300000',
      },
    );
    watch = monitor.app.get(SystemWatch);
    dataSource = monitor.app.get(DataSource);
  });
  afterAll(async () => {
    process.stdout.write = write;
    await monitor?.close();
    await database?.drop();
  });

  const recordFailure = (orderId: string) =>
    dataSource.query(
      `INSERT INTO reconciliation.pending_repairs (order_id, last_error, run_id) VALUES ($1, 'connection terminated', $2)
       ON CONFLICT (order_id) DO UPDATE SET attempts = pending_repairs.attempts + 1, last_failed_at = clock_timestamp()`,
      [orderId, newEventId()],
    );
  const gauge = async () => (await monitor.app.get(Metrics).reconciliationPendingRepairs.get()).values[0]?.value;
  const alertLines = () => written.join('').split(ALERT_LINE).length - 1;
  const pendingAlerts = (alerts: { reason: string }[]) => alerts.filter((a) => a.reason === 'pending-repairs');

  it('shows how many reissues are pending, and alerts once per failed attempt a run recorded', async () => {
    expect((await watch.poll()).pendingRepairs.count).toBe(0);
    const orderId = randomUUID();
    await recordFailure(orderId);

    const seen = await watch.poll();
    expect(seen.pendingRepairs).toMatchObject({ count: 1, oldestFailedAt: expect.any(String) });
    expect(pendingAlerts(seen.alerts)).toEqual([
      expect.objectContaining({ observer: 'reconciler', reason: 'pending-repairs', pendingRepairs: 1 }),
    ]);
    expect(await gauge()).toBe(1);
    expect(seen.counters.probeAlerts).toBe(0);
    await watch.poll();
    expect(alertLines()).toBe(1);

    await recordFailure(orderId); // the next run failed it again
    expect(pendingAlerts((await watch.poll()).alerts)).toHaveLength(2);
    expect(alertLines()).toBe(2);

    await dataSource.query('DELETE FROM reconciliation.pending_repairs WHERE order_id = $1', [orderId]);
    expect((await watch.poll()).pendingRepairs.count).toBe(0);
    expect(await gauge()).toBe(0);
  });
});
