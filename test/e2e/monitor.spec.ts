import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { newEventId } from '@redpacket/contracts';
import { pollUntil } from '../../testkit/infra/process-utils';
import { get, openLivePage, seriesValue } from '../../testkit/system/monitor-client';
import { TEST_ADMIN_TOKEN } from '../../testkit/support/reconciler.harness';
import { mixedOrders, type RunningApp, SystemUnderTest } from '../../testkit/system/system';

jest.setTimeout(180_000);

const THRESHOLD_MS = 2_000;
const PROBE_INTERVAL_MS = 300;

interface MonitorSnapshot {
  probeWrites: { blind: boolean; failingForMs: number };
  counters: { orders: number; packetsGranted: number; probesWritten: number; probeAlerts: number };
  lag: { group: string; partition: number; currentOffset: string; lag: string }[];
  alerts: { at: number; observer: string; reason: string; delayMs: number }[];
  history: { at: number; probeDelayMs: Record<string, number> }[];
  reconciliation?: { runId: string; orphanPackets: number; amountMismatches: number; walletDrifts: number };
  rules: { version: number; percentBasisPoints: number; createdBy: string }[];
}

/** Collects what the alert webhook receives. */
async function startWebhook(): Promise<{ server: Server; url: string; alerts: Record<string, unknown>[] }> {
  const alerts: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      alerts.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, alerts };
}

const waitFor = <T>(description: string, condition: () => Promise<T | undefined>, timeoutMs = 30_000) =>
  pollUntil(description, condition, { timeoutMs });

const alertLines = (app: RunningApp, message: string) =>
  app.process.output().split(`"message":"${message}"`).length - 1;
const alertLogLines = (app: RunningApp) => alertLines(app, 'probe delay over threshold');

const readinessOf = async (app: RunningApp) => {
  const response = await fetch(`${app.url}/health/ready`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const snapshot = async (monitor: RunningApp) => JSON.parse(await get(monitor, '/api/snapshot')) as MonitorSnapshot;

const rewardLag = (s: MonitorSnapshot) =>
  s.lag.filter((row) => row.group.endsWith('.reward-service')).reduce((sum, row) => sum + Number(row.lag), 0);

describe('seeing the delay: monitor, probes, metrics and the live page', () => {
  let system: SystemUnderTest;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  let orders: RunningApp;
  let rewards: RunningApp;
  let monitor: RunningApp;
  let reconciler: RunningApp;

  beforeAll(async () => {
    webhook = await startWebhook();
    system = new SystemUnderTest('inbox-tx');
    await system.start();
    const probes = {
      PROBE_ALERT_THRESHOLD_MS: String(THRESHOLD_MS),
      PROBE_ALERT_WEBHOOK_URL: webhook.url,
    };
    // The order service first: the monitor's probes are written by it.
    orders = await system.startApp('order-service');
    [rewards, monitor, reconciler] = await Promise.all([
      system.startApp('reward-service', probes),
      system.startApp('monitor', {
        ...probes,
        PROBE_INTERVAL_MS: String(PROBE_INTERVAL_MS),
        MONITOR_POLL_INTERVAL_MS: '300',
      }),
      system.startApp('reconciler', { RECONCILER_SCHEDULE_ENABLED: 'false' }),
    ]);
  });

  afterAll(async () => {
    await system?.stop();
    webhook?.server.close();
  });

  it('exposes the named series on /metrics of every app', async () => {
    await system.placeOrders(orders, mixedOrders(system.userPrefix, 10, 3));
    const expected: Record<string, string[]> = {
      'order-service': [
        'redpacket_orders_placed_total',
        'redpacket_idempotent_replays_total',
        'redpacket_outbox_published_total',
      ],
      'reward-service': [
        'redpacket_events_consumed_total',
        'redpacket_duplicates_skipped_total',
        'redpacket_optimistic_lock_retries_total',
        'redpacket_dead_lettered_total',
        'redpacket_packets_granted_total',
        'redpacket_grant_latency_seconds',
        'redpacket_probe_delay_seconds',
      ],
      reconciler: ['redpacket_reconciliation_orders_total', 'redpacket_retention_purged_rows_total'],
      monitor: [
        'redpacket_consumer_lag',
        'redpacket_consumer_partition_stalled_seconds',
        'redpacket_outbox_backlog',
        'redpacket_outbox_oldest_unpublished_age_seconds',
        'redpacket_probe_alerts_total',
      ],
    };
    for (const app of [orders, rewards, reconciler, monitor]) {
      const exposition = await get(app, '/metrics');
      for (const name of expected[app.name]) expect(exposition).toContain(`# TYPE ${name} `);
    }
    expect(seriesValue(await get(orders, '/metrics'), 'redpacket_orders_placed_total')).toBe(10);
    await system.waitForQuiescence(60_000);
    const rewardMetrics = await get(rewards, '/metrics');
    expect(seriesValue(rewardMetrics, 'redpacket_events_consumed_total')).toBe(10);
    expect(seriesValue(rewardMetrics, 'redpacket_grant_latency_seconds_count')).toBe(
      seriesValue(rewardMetrics, 'redpacket_packets_granted_total', { source: 'event' }),
    );
    await waitFor('the monitor to export the reward-service lag per partition', async () => {
      const exposition = await get(monitor, '/metrics');
      return (exposition.match(/^redpacket_consumer_lag\{group="[^"]*reward-service"/gm) ?? []).length === 6
        ? true
        : undefined;
    });
  });

  it('sees lag and overdue probes while the reward service is paused, alerts, and recovers after it resumes', async () => {
    await waitFor('the reward service to keep up with the probes', async () => {
      const s = await snapshot(monitor);
      return rewardLag(s) === 0 && s.counters.probesWritten > 3 ? s : undefined;
    });

    // Alerts from before the pause (a slow start, say) do not count: only those raised since.
    const pausedAt = Date.now();
    const logLinesBefore = alertLogLines(monitor);
    const raisedSince = (alert: Record<string, unknown>, since: number) => Date.parse(String(alert.at)) >= since;
    rewards.process.child.kill('SIGSTOP');
    try {
      await system.placeOrders(orders, mixedOrders(system.userPrefix, 20, 4));
      const stuck = await waitFor('lag to rise and the reward service probes to go overdue', async () => {
        const s = await snapshot(monitor);
        const overdue = s.alerts.some(
          (a) => a.at >= pausedAt && a.observer === 'reward-service' && a.reason === 'not-arrived',
        );
        return rewardLag(s) >= 20 && overdue ? s : undefined;
      });
      expect(stuck.history.at(-1)?.probeDelayMs['reward-service']).toBeGreaterThan(THRESHOLD_MS);
      expect(
        seriesValue(await get(monitor, '/metrics'), 'redpacket_probe_alerts_total', { reason: 'not-arrived' }),
      ).toBeGreaterThan(0);
      // The webhook POST and the piped log line travel on their own; they follow the snapshot, never precede it.
      await waitFor('the webhook to receive the not-arrived alert', async () =>
        webhook.alerts.some(
          (a) => raisedSince(a, pausedAt) && a.observer === 'reward-service' && a.reason === 'not-arrived',
        )
          ? true
          : undefined,
      );
      expect(webhook.alerts).toContainEqual(
        expect.objectContaining({ observer: 'reward-service', reason: 'not-arrived', thresholdMs: THRESHOLD_MS }),
      );
      await waitFor('the monitor to log the alert', async () =>
        alertLogLines(monitor) > logLinesBefore ? true : undefined,
      );
    } finally {
      rewards.process.child.kill('SIGCONT');
    }

    await waitFor('lag to return to 0 after the reward service resumed', async () =>
      rewardLag(await snapshot(monitor)) === 0 ? true : undefined,
    );
    // The reward service itself measured the probes that waited for it, and alerted too (it was stopped, so after it resumed).
    await waitFor('the reward service to report late probes', async () =>
      webhook.alerts.some((a) => raisedSince(a, pausedAt) && a.observer === 'reward-service' && a.reason === 'late')
        ? true
        : undefined,
    );
    const rewardMetrics = await get(rewards, '/metrics');
    expect(
      seriesValue(rewardMetrics, 'redpacket_probe_alerts_total', { observer: 'reward-service', reason: 'late' }),
    ).toBeGreaterThan(0);
    expect(seriesValue(rewardMetrics, 'redpacket_probe_delay_seconds_count')).toBeGreaterThan(0);
  });

  it('shows placed orders, lag and probe delay on the live page in headless Chromium', async () => {
    const { page, pageErrors, close } = await openLivePage(monitor);
    try {
      const ordersShown = async () =>
        Number((await page.textContent('[data-testid="orders"]'))?.replace(/\D/g, '') || NaN);
      await waitFor('the page to show the order count', async () =>
        Number.isFinite(await ordersShown()) ? true : undefined,
      );
      const before = await ordersShown();

      await system.placeOrders(orders, mixedOrders(system.userPrefix, 15, 5));
      await waitFor('the page to count the 15 new orders', async () =>
        (await ordersShown()) >= before + 15 ? true : undefined,
      );
      await system.waitForQuiescence(60_000);
      const s = await snapshot(monitor);
      await waitFor('the page to show the packets granted', async () =>
        Number((await page.textContent('[data-testid="packets"]'))?.replace(/\D/g, '')) >= s.counters.packetsGranted
          ? true
          : undefined,
      );
      expect(await page.locator('[data-testid="lag-chart"] polyline').count()).toBe(6);
      expect(await page.locator('[data-testid="probe-chart"] polyline').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('[data-testid="alerts"] tr').count()).toBeGreaterThan(0);
      // The rule in force, and who added it (the migration's first version here).
      expect(s.rules[0]).toMatchObject({ version: 1, percentBasisPoints: 500, createdBy: 'migration' });
      expect(await page.locator('[data-testid="rules"] tr td').allTextContents()).toEqual(
        expect.arrayContaining(['1', '5 %', 'migration']),
      );
      if (process.env.MONITOR_SCREENSHOT)
        await page.screenshot({ path: process.env.MONITOR_SCREENSHOT, fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });
  it('exports the latest reconciliation report and alerts once when it found money without a reason', async () => {
    const runId = newEventId();
    const alertLines = () =>
      monitor.process.output().split('"message":"reconciliation reported money without a reason"').length - 1;
    // A finished incremental report, the latest of all; its window ends in 1970 so it moves no high-water mark.
    await system.dataSource.query(
      `INSERT INTO reconciliation.runs (run_id, trigger, scan, window_since, window_until, dry_run, status,
                                        orphan_packets, amount_mismatches, wallet_drifts, started_at, finished_at)
       VALUES ($1, 'schedule', 'incremental', NULL, '1970-01-02', false, 'succeeded', 2, 0, 1, now(), now() + interval '1 day')`,
      [runId],
    );
    try {
      await waitFor('the monitor to read the report', async () =>
        (await snapshot(monitor)).reconciliation?.runId === runId ? true : undefined,
      );
      const exposition = await get(monitor, '/metrics');
      expect(seriesValue(exposition, 'redpacket_reconciliation_discrepancies', { kind: 'orphan_packet' })).toBe(2);
      expect(seriesValue(exposition, 'redpacket_reconciliation_discrepancies', { kind: 'wallet_drift' })).toBe(1);
      expect(seriesValue(exposition, 'redpacket_reconciliation_discrepancies', { kind: 'amount_mismatch' })).toBe(0);
      const lastPollAt = async () => (await snapshot(monitor)).history.at(-1)?.at ?? 0;
      const seenAt = await lastPollAt();
      await waitFor('another poll of the same report', async () => ((await lastPollAt()) > seenAt ? true : undefined));
      expect(alertLines()).toBe(1);
    } finally {
      await system.dataSource.query('DELETE FROM reconciliation.runs WHERE run_id = $1', [runId]);
    }
  });

  it('says it is blind while no probe can be written, with an alert, a metric and a readiness detail', async () => {
    const { port } = new URL(orders.url);
    await orders.process.kill('SIGKILL');
    system.apps.splice(system.apps.indexOf(orders), 1);

    const blind = await waitFor('the monitor to say it is blind', async () => {
      const s = await snapshot(monitor);
      return s.probeWrites.blind ? s : undefined;
    });
    const alert = blind.alerts.find((a) => a.reason === 'not-written');
    // One failed write is not worth an alert: writes failed for a whole probe interval first.
    expect(alert).toMatchObject({ observer: 'monitor', delayMs: expect.any(Number) });
    expect(alert?.delayMs).toBeGreaterThanOrEqual(PROBE_INTERVAL_MS);
    expect(alertLines(monitor, 'probes not written')).toBe(1);
    await waitFor('the webhook to get the alert', async () =>
      webhook.alerts.some((a) => a.reason === 'not-written') ? true : undefined,
    );
    const ready = await readinessOf(monitor);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ degraded: ['probes'] });
    expect(seriesValue(await get(monitor, '/metrics'), 'redpacket_probe_write_failing_seconds')).toBeGreaterThan(0);

    // The order service back on its port: probes are written again and the monitor sees again.
    orders = await system.startApp('order-service', { HTTP_PORT: port });
    await waitFor('the monitor to see again', async () =>
      !(await snapshot(monitor)).probeWrites.blind ? true : undefined,
    );
    expect((await readinessOf(monitor)).body).toMatchObject({ degraded: [] });
    expect(seriesValue(await get(monitor, '/metrics'), 'redpacket_probe_write_failing_seconds')).toBe(0);
  });
});
