import { join } from 'node:path';
import type { KafkaClientName } from '@redpacket/config';
import { EVENT_HEADERS } from '@redpacket/contracts';
import { pollUntil } from '../../testkit/infra/process-utils';
import { TopicReader } from '../../testkit/support/topic-reader';
import { PrivateKafka } from '../../testkit/support/private-kafka';
import { TEST_ADMIN_TOKEN } from '../../testkit/support/reconciler.harness';
import { createMigratedDatabase } from '../../testkit/support/test-database';
import { type LivenessRow, writeLivenessRows } from './support/guarantee-matrix';
import { provingAll } from './support/prove-all';
import { recordedScenario } from './support/recorded-scenario';
import {
  createOrderTopicWithOnePartitionAlsoOn,
  createOrderTopicWithOnePartitionOnlyOn,
  grantDelayP99,
  maxAttemptsWithBackoff,
  p99,
  postOnce,
  readinessWhile,
  partitionOfKey,
  publishAttempts,
  readiness,
  seconds,
  terminate,
  timeUntilEveryonePaid,
  timeUntilPaid,
  unpaidQualifying,
} from './support/liveness';
import { get, seriesValue } from '../../testkit/system/monitor-client';
import { invariantsHeld, measureOutcome, type ScenarioOutcome } from '../../testkit/system/outcome';
import { mixedOrders, type RunningApp, SystemUnderTest } from '../../testkit/system/system';

jest.setTimeout(300_000);

const ORDERS = Number(process.env.E2E_ORDERS ?? 200);
const rows: LivenessRow[] = [];

afterAll(() => {
  if (process.env.PROVE_WRITE === '1') {
    writeLivenessRows(join(__dirname, '..', '..', 'docs', 'guarantees.md'), rows, {
      date: new Date().toISOString().slice(0, 10),
    });
  }
});

/** kafkajs in CI; under `npm run prove` (or PROVE_ALL=1) @platformatic/kafka as well. */
const CLIENTS: KafkaClientName[] = provingAll() ? ['kafkajs', 'platformatic'] : ['kafkajs'];

/** The test's client, from its full name. */
function clientOfTest(): string {
  return /client (\w+)/.exec(expect.getState().currentTestName ?? '')?.[1] ?? '';
}

function title(): string {
  return (expect.getState().currentTestName ?? '').replace(
    /^liveness under faults that do not heal by themselves, client \w+ /,
    '',
  );
}

/** The invariants of every scenario, and the row in docs/guarantees.md with its liveness figure. */
function expectPaidOnce(outcome: ScenarioOutcome, liveness: string, also: string): void {
  rows.push({ title: title(), grants: 'batched', client: clientOfTest(), outcome, liveness, also });
  expect(outcome).toMatchObject(invariantsHeld());
  expect(outcome.granted).toBe(outcome.expected);
  expect(outcome.orders).toBeGreaterThan(0);
}

/** A scenario that fails before its invariants are measured still gets its row, as a failure. */
const scenario = recordedScenario<LivenessRow>(rows, (error) => ({
  title: title(),
  grants: 'batched',
  client: clientOfTest(),
  error,
  liveness: '',
  also: '',
}));

describe.each(CLIENTS)('liveness under faults that do not heal by themselves, client %s', (client) => {
  let system: SystemUnderTest | undefined;
  let kafka: PrivateKafka | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;

  afterEach(async () => {
    try {
      await system?.stop();
    } finally {
      await kafka?.destroy();
      await database?.drop();
      system = undefined;
      kafka = undefined;
      database = undefined;
    }
  });

  scenario('pays every order taken while Kafka was down, with every app restarted during the outage', async () => {
    kafka = await PrivateKafka.start(1);
    system = new SystemUnderTest('inbox-tx', { brokers: kafka.brokers, client });
    await system.start();
    const sut = system;
    const before = [
      await sut.startApp('order-service'),
      await sut.startApp('reward-service'),
      await sut.startApp('reconciler'),
    ];
    before.push(await sut.startApp('monitor'));

    // A clean stop: a single KRaft node SIGKILLed this soon after its topics and ACLs were made can come
    // back without them (the broker-restart fault row is the crash).
    await kafka.stopBroker(1, 30_000);
    // Every app restarts while Kafka is away, and each is ready for its own job without it.
    const restarted: RunningApp[] = [];
    for (const app of before) restarted.push(await sut.restartApp(app, {}, app.name !== 'reward-service'));
    const [orders, rewards, reconciler, monitor] = restarted;
    const placed = await sut.placeOrders(orders, mixedOrders(sut.userPrefix, ORDERS, ORDERS / 5));
    expect(placed).toHaveLength(ORDERS);
    const during = {
      orders: await readiness(orders, TEST_ADMIN_TOKEN),
      rewards: await readiness(rewards, TEST_ADMIN_TOKEN),
      reconciler: (await readiness(reconciler, TEST_ADMIN_TOKEN)).status,
      monitor: (await readiness(monitor, TEST_ADMIN_TOKEN)).status,
    };
    expect(during.orders.status).toBe(200);
    expect(JSON.parse(during.orders.body)).toMatchObject({ degraded: ['kafka', 'outbox-relay'] });
    expect(during.rewards.status).toBe(503);
    expect(during.rewards.body).toContain('"waitingFor"');
    expect({ reconciler: during.reconciler, monitor: during.monitor }).toEqual({ reconciler: 200, monitor: 200 });
    for (const app of restarted)
      expect({ app: app.name, exited: app.process.child.exitCode }).toEqual({ app: app.name, exited: null });
    // An app that waits for Kafka still stops at once on SIGTERM (nothing holds its close), and a new one
    // takes its place.
    const stopped = await terminate(rewards);
    expect(stopped).toMatchObject({ code: null, signal: 'SIGTERM' });
    sut.apps.splice(sut.apps.indexOf(rewards), 1);
    const newRewards = await sut.startApp('reward-service', {}, false);

    const healed = Date.now();
    await kafka.startBroker(1);
    const drainMs = await timeUntilEveryonePaid(sut, healed);
    await sut.waitForQuiescence(60_000);
    await sut.waitReady(newRewards);
    expectPaidOnce(
      await measureOutcome(sut),
      `all paid ${seconds(drainMs)} after the broker returned`,
      `${ORDERS} of ${ORDERS} orders 201 during the outage; order service, reconciler, monitor ready (200) and reward service 503 while Kafka was away; no app exited; a reward service waiting for Kafka closed on SIGTERM in ${seconds(stopped.exitMs)}`,
    );
  });

  scenario('pays every order through a reconciler started while Kafka is down', async () => {
    kafka = await PrivateKafka.start(1);
    system = new SystemUnderTest('inbox-tx', { brokers: kafka.brokers, client });
    await system.start();
    const sut = system;
    const since = new Date(Date.now() - 1_000);
    const orders = await sut.startApp('order-service');
    await sut.startApp('reward-service');
    // A clean stop: a single KRaft node SIGKILLed this soon after its topics and ACLs were made can come
    // back without them (the broker-restart fault row is the crash).
    await kafka.stopBroker(1, 30_000);
    const reconciler = await sut.startApp('reconciler', { RECONCILER_GRACE_SECONDS: '0' });
    await sut.placeOrders(orders, mixedOrders(sut.userPrefix, ORDERS, ORDERS / 5));

    const asked = Date.now();
    const response = await fetch(`${reconciler.url}/admin/reconciliations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify({ since: since.toISOString() }),
    });
    const run = (await response.json()) as { status: string; reissued: number; failed: number };
    expect({ status: response.status, run: run.status, failed: run.failed }).toEqual({
      status: 201,
      run: 'succeeded',
      failed: 0,
    });
    const paidMs = await timeUntilEveryonePaid(sut, asked);
    const [granted] = await sut.dataSource.query<{ waiting: number }[]>(
      `SELECT count(*)::int AS waiting FROM rewards.outbox WHERE published_at IS NULL AND message_key LIKE $1`,
      [`${sut.userPrefix}-%`],
    );
    expect(granted.waiting).toBeGreaterThan(0);

    await kafka.startBroker(1);
    await sut.waitForQuiescence(90_000);
    expectPaidOnce(
      await measureOutcome(sut),
      `all paid ${seconds(paidMs)} after the reconciliation was asked for, Kafka still down`,
      `reconciler booted with Kafka down; its run reissued ${run.reissued} and failed 0; ${granted.waiting} granted events waited in the rewards outbox; once Kafka returned the late OrderPurchased events were consumed (lag 0) without a second packet`,
    );
  });

  scenario('pays an order whose reissue failed at the next scheduled run, alerting in between', async () => {
    database = await createMigratedDatabase(`pending_${Date.now().toString(36)}`);
    system = new SystemUnderTest('inbox-tx', { databaseUrl: database.url, client });
    await system.start();
    const sut = system;
    // No reward service yet: every OrderPurchased waits in Kafka, as if lost, and only reissues pay.
    const orders = await sut.startApp('order-service');
    // The monitor polls well within the schedule, idle or not: the repair is pending for one interval only.
    const monitor = await sut.startApp('monitor', {
      MONITOR_POLL_INTERVAL_MS: '200',
      MONITOR_POLL_MAX_INTERVAL_MS: '200',
    });
    await sut.placeOrders(orders, mixedOrders(sut.userPrefix, ORDERS / 4, ORDERS / 20));
    const scheduleMs = 3_000;
    const started = Date.now();
    const reconciler = await sut.startApp('reconciler', {
      RECONCILER_SCHEDULE_ENABLED: 'true',
      RECONCILER_CRON: `*/${scheduleMs / 1_000} * * * * *`,
      RECONCILER_GRACE_SECONDS: '0',
      // No overlap: only the pending repairs can bring the failed order back once the mark has passed it.
      RECONCILER_OVERLAP_SECONDS: '0',
      FAILPOINTS: 'reconciler.before-grant=error-once',
    });
    const [failing, repairing] = await scheduledRunsUntilRepaired(sut);
    const paidMs = Date.now() - started;
    expect(failing).toMatchObject({ trigger: 'schedule', status: 'succeeded', failed: 1, pending_left: 1 });
    expect(repairing).toMatchObject({ trigger: 'schedule', status: 'succeeded', failed: 0, pending_retried: 1 });
    expect(repairing.pending_left).toBe(0);
    expect(await unpaidQualifying(sut)).toEqual([]);
    const alert = await pollUntil(
      'the monitor to alert on the pending repair',
      async () => {
        const { alerts } = JSON.parse(await get(monitor, '/api/snapshot')) as { alerts: MonitorAlert[] };
        return alerts.find((a) => a.reason === 'pending-repairs');
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(alert).toMatchObject({ observer: 'reconciler', pendingRepairs: 1 });
    expect(alert.at).toBeGreaterThanOrEqual(failing.started_at.getTime());
    expect(alert.at).toBeLessThanOrEqual(repairing.finished_at.getTime());
    const waitedMs = repairing.finished_at.getTime() - failing.finished_at.getTime();

    // The late events meet the reissues' decisions: consumed without a second packet.
    await sut.startApp('reward-service');
    await sut.waitForQuiescence(60_000);
    expectPaidOnce(
      await measureOutcome(sut),
      `every order decided ${seconds(paidMs)} after the reconciler started; the failed one ${seconds(waitedMs)} after its failure (schedule every ${seconds(scheduleMs)})`,
      `scheduled run 1: failed 1, pending left 1, the mark moved past the order; the next scheduled run retried it from the pending repairs and left 0; the monitor alerted (pending-repairs) between the two runs; ${reconciler.name} never restarted`,
    );
  });

  scenario('brings the relay back without a restart after its sends failed past the readiness bound', async () => {
    kafka = await PrivateKafka.start(1);
    system = new SystemUnderTest('inbox-tx', { brokers: kafka.brokers, client });
    await system.start();
    const sut = system;
    const degradedAfterMs = 3_000;
    // kafkajs: the first send of the outage is answered as by a broker that lost the producer's session,
    // so every later send renews the producer, and each renewal fails until the broker returns.
    const orders = await sut.startApp('order-service', {
      OUTBOX_DEGRADED_AFTER_MS: String(degradedAfterMs),
      ...(client === 'kafkajs' ? { FAILPOINTS: 'kafkajs-producer.session-lost=error-once' } : {}),
    });
    await sut.startApp('reward-service');
    await pollUntil(
      'the order relay to run',
      async () => (relayOf(await readiness(orders, TEST_ADMIN_TOKEN)).state === 'running' ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );

    await kafka.stopBroker(1, 30_000);
    const outageStart = Date.now();
    await sut.placeOrders(orders, mixedOrders(sut.userPrefix, ORDERS / 2, ORDERS / 10));
    const gap = await pollUntil(
      'the order service to show its relay degraded',
      async () => {
        const answer = await readiness(orders, TEST_ADMIN_TOKEN);
        const relay = relayOf(answer);
        return relay.degraded === 'sends to Kafka failing' ? { status: answer.status, relay, answer } : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(gap.status).toBe(200);
    expect(JSON.parse(gap.answer.body)).toMatchObject({ degraded: expect.arrayContaining(['outbox-relay']) });
    expect(gap.relay.sendFailingMs).toBeGreaterThan(degradedAfterMs);
    const failingSeconds = seriesValue(await get(orders, '/metrics'), 'redpacket_outbox_send_failing_seconds', {
      table: 'ordering.outbox',
    });
    expect(failingSeconds).toBeGreaterThan(0);
    if (client === 'kafkajs') expect(orders.process.output()).toContain('The broker lost this producer session');

    const healed = Date.now();
    await kafka.startBroker(1);
    const drainMs = await timeUntilEveryonePaid(sut, healed);
    const recovered = await pollUntil(
      'the relay to be whole again',
      async () => {
        const answer = await readiness(orders, TEST_ADMIN_TOKEN);
        return relayOf(answer).degraded === undefined ? answer : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(JSON.parse(recovered.body)).toMatchObject({ degraded: [] });
    expect(orders.process.child.exitCode).toBeNull();
    await sut.waitForQuiescence(60_000);
    expectPaidOnce(
      await measureOutcome(sut),
      `all paid ${seconds(drainMs)} after the broker returned`,
      `${client === 'kafkajs' ? "the producer's session lost at the outage's first send, every renewal failed while the broker was away; " : ''}sends failed ${seconds(healed - outageStart)}; readiness 200 with outbox-relay degraded ("sends to Kafka failing", ${seconds(gap.relay.sendFailingMs ?? 0)}) past the ${seconds(degradedAfterMs)} bound and redpacket_outbox_send_failing_seconds ${failingSeconds.toFixed(1)} s; the same process published again, degraded cleared`,
    );
  });

  scenario('keeps paying the customers of the other partitions while one partition cannot be written', async () => {
    kafka = await PrivateKafka.start(3);
    system = new SystemUnderTest('inbox-tx', {
      brokers: kafka.brokers,
      replicationFactor: 1,
      client,
    });
    const sut = system;
    const { unwritable, partitions } = await createOrderTopicWithOnePartitionAlsoOn(sut, 3);
    await sut.start();
    const orders = await sut.startApp('order-service');
    await sut.startApp('reward-service');
    // Partition 0 loses its second in-sync replica: acks=all writes to it fail, the others' go on.
    await kafka.stopBroker(3, 30_000);
    const outageStart = Date.now();

    const plan = mixedOrders(sut.userPrefix, ORDERS, ORDERS / 5);
    const onUnwritable = (userId: string) => partitionOfKey(userId, partitions) === unwritable;
    const half = Math.floor(plan.length / 2);
    await sut.placeOrders(orders, plan.slice(0, half), 4);
    // The outage outlasts several backoffs of partition 0's rows; the second wave comes after them.
    await waitForPublishAttempts(sut, onUnwritable, 4);
    await sut.placeOrders(orders, plan.slice(half), 4);
    const placedMs = Date.now() - outageStart;
    const othersPaidMs = await timeUntilPaid(sut, outageStart, (userId) => !onUnwritable(userId));
    // While the partition cannot be written its customers wait, and only they do.
    const waiting = await unpaidQualifying(sut);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.filter((userId) => !onUnwritable(userId))).toEqual([]);
    const othersP99Ms = await grantDelayP99(sut, (userId) => !onUnwritable(userId));
    const outageMs = Date.now() - outageStart;
    const attempts = await publishAttempts(sut, onUnwritable);
    expect(attempts.others).toBe(1);
    expect(attempts.unwritable).toBeLessThanOrEqual(maxAttemptsWithBackoff(outageMs));

    const healed = Date.now();
    await kafka.startBroker(3);
    const drainMs = await timeUntilEveryonePaid(sut, healed);
    await sut.waitForQuiescence(90_000);
    expectPaidOnce(
      await measureOutcome(sut),
      `other partitions: placed-to-paid p99 ${seconds(othersP99Ms)}, all paid ${seconds(othersPaidMs)} into the outage; partition 0's customers paid ${seconds(drainMs)} after its replica returned`,
      `${ORDERS} orders placed in two waves over ${seconds(placedMs)} while partition 0 had 1 of 2 in-sync replicas; every row of the other partitions published at its first attempt; partition 0's rows tried at most ${attempts.unwritable} times in ${seconds(outageMs)} (backoff 0.5 s … 10 s); the ${waiting.length} qualifying orders that waited were all partition 0's`,
    );
  });

  scenario('keeps paying the customers of the other partitions while one partition has no leader', async () => {
    kafka = await PrivateKafka.start(3);
    system = new SystemUnderTest('inbox-tx', { brokers: kafka.brokers, replicationFactor: 1, client });
    const sut = system;
    const { unwritable, partitions } = await createOrderTopicWithOnePartitionOnlyOn(sut, 3);
    await sut.start();
    const orders = await sut.startApp('order-service');
    await sut.startApp('reward-service');
    const plan = mixedOrders(sut.userPrefix, ORDERS, ORDERS / 5);
    const onLeaderless = (userId: string) => partitionOfKey(userId, partitions) === unwritable;
    const half = Math.floor(plan.length / 2);
    await sut.placeOrders(orders, plan.slice(0, half), 4);
    await timeUntilEveryonePaid(sut, Date.now());

    // Partition 0's only replica stops: the partition has no leader until it returns.
    await kafka.stopBroker(3, 30_000);
    const outageStart = Date.now();
    await sut.placeOrders(orders, plan.slice(half), 4);
    await waitForPublishAttempts(sut, onLeaderless, 4);
    // kafkajs (patched, kafkajs-patches.ts) writes and reads every partition that has a leader;
    // @platformatic/kafka fails the topic's whole metadata answer, so every partition waits with partition 0.
    const othersFlow = client === 'kafkajs';
    const othersPaidMs = othersFlow ? await timeUntilPaid(sut, outageStart, (userId) => !onLeaderless(userId)) : 0;
    const outageMs = Date.now() - outageStart;
    const waiting = await unpaidQualifying(sut);
    const othersWaiting = waiting.filter((userId) => !onLeaderless(userId)).length;
    const attempts = await publishAttempts(sut, onLeaderless);
    expect(waiting.length).toBeGreaterThan(othersWaiting);
    expect(attempts.unwritable).toBeLessThanOrEqual(maxAttemptsWithBackoff(outageMs));
    if (othersFlow) {
      expect(othersWaiting).toBe(0);
      expect(attempts.others).toBe(1);
    } else {
      expect(othersWaiting).toBeGreaterThan(0);
    }
    const othersP99Ms = await grantDelayP99(sut, (userId) => !onLeaderless(userId));

    const healed = Date.now();
    await kafka.startBroker(3);
    const drainMs = await timeUntilEveryonePaid(sut, healed);
    await sut.waitForQuiescence(90_000);
    expectPaidOnce(
      await measureOutcome(sut),
      othersFlow
        ? `other partitions: placed-to-paid p99 ${seconds(othersP99Ms)}, all paid ${seconds(othersPaidMs)} into the outage; partition 0's customers paid ${seconds(drainMs)} after its broker returned`
        : `all paid ${seconds(drainMs)} after partition 0's broker returned; until then the other partitions waited too`,
      `${ORDERS - half} orders placed while partition 0 had no leader; ${
        othersFlow
          ? `every row of the other partitions published at its first attempt; the ${waiting.length} qualifying orders that waited were all partition 0's`
          : `after ${seconds(outageMs)} ${othersWaiting} qualifying orders of the other partitions waited beside ${waiting.length - othersWaiting} of partition 0 (the client fails the whole topic's metadata)`
      }; partition 0's rows tried at most ${attempts.unwritable} times in ${seconds(outageMs)} (backoff 0.5 s … 10 s)`,
    );
  });

  scenario('serves the other customers as before while one customer floods the order service', async () => {
    system = new SystemUnderTest('inbox-tx', { client });
    await system.start();
    const sut = system;
    const orders = await sut.startApp('order-service');
    await sut.startApp('reward-service');
    // Customers in turn (u0, u1, … u19, u0, …): 4 workers never hold two orders of one normal customer.
    const normal = (wave: string) => mixedOrders(`${sut.userPrefix}-${wave}`, ORDERS / 2, 20);
    const alone = await postOnce(orders, normal('alone'), 4);

    const hot = mixedOrders(`${sut.userPrefix}-hot`, 300, 1);
    const flood = postOnce(orders, hot, 50);
    const [beside, readinessSeen, flooded] = await Promise.all([
      postOnce(orders, normal('beside'), 4),
      readinessWhile(orders, flood),
      flood,
    ]);
    const all = [...alone.statuses, ...beside.statuses, ...flooded.statuses];
    expect(all.filter((status) => status >= 500)).toEqual([]);
    expect([...alone.statuses, ...beside.statuses].filter((status) => status !== 201)).toEqual([]);
    expect(flooded.statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(readinessSeen.filter((status) => status !== 200)).toEqual([]);
    const paidMs = await timeUntilEveryonePaid(sut, Date.now());
    await sut.waitForQuiescence(60_000);
    const accepted = flooded.statuses.filter((status) => status === 201).length;
    expectPaidOnce(
      await measureOutcome(sut),
      `other customers' POST /orders p99 ${Math.round(p99(alone.latenciesMs))} ms alone, ${Math.round(p99(beside.latenciesMs))} ms beside the flood; all paid ${seconds(paidMs)} after the last answer`,
      `${ORDERS} orders of 20 customers all 201, 0 errors, in both runs; the flooding customer's 300 concurrent orders: ${accepted} 201, ${300 - accepted} 429, 0 5xx; /health/ready 200 in all ${readinessSeen.length} checks during the flood`,
    );
  });

  scenario('every app exits within its deadline on SIGTERM under load, committing only what finished', async () => {
    system = new SystemUnderTest('inbox-tx', { client });
    await system.start();
    const sut = system;
    const orders = await sut.startApp('order-service');
    const rewards = await sut.startApp('reward-service', { FAILPOINTS: 'grant.before-commit=delay:20' });
    const plan = mixedOrders(sut.userPrefix, ORDERS, ORDERS / 5);
    await sut.placeOrders(orders, plan.slice(0, ORDERS / 2));
    const deadlineMs = 10_000; // SHUTDOWN_TIMEOUT_MS's default
    const [stopped] = await Promise.all([terminate(rewards), sut.placeOrders(orders, plan.slice(ORDERS / 2), 4)]);
    expect(stopped).toEqual({ exitMs: expect.any(Number), code: null, signal: 'SIGTERM' });
    expect(stopped.exitMs).toBeLessThan(deadlineMs);
    expect(await committedButUnfinished(sut)).toEqual([]);

    const restartedAt = Date.now();
    sut.apps.splice(sut.apps.indexOf(rewards), 1);
    await sut.startApp('reward-service');
    const drainMs = await timeUntilEveryonePaid(sut, restartedAt);
    await sut.waitForQuiescence(60_000);
    const stoppedOrders = await terminate(orders);
    expect(stoppedOrders).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(stoppedOrders.exitMs).toBeLessThan(deadlineMs);
    expectPaidOnce(
      await measureOutcome(sut),
      `all paid ${seconds(drainMs)} after the reward service restarted`,
      `reward service closed in ${seconds(stopped.exitMs)} mid-load, order service in ${seconds(stoppedOrders.exitMs)} (deadline ${seconds(deadlineMs)}); every offset committed was below messages whose effect had committed`,
    );
  });

  scenario(
    'a close that hangs ends at SHUTDOWN_TIMEOUT_MS with exit code 1, and nothing unfinished is committed',
    async () => {
      system = new SystemUnderTest('inbox-tx', { client });
      await system.start();
      const sut = system;
      const orders = await sut.startApp('order-service');
      const deadlineMs = 2_000;
      // Every grant stalls for a minute: the batch in hand cannot finish within the deadline.
      const rewards = await sut.startApp('reward-service', {
        FAILPOINTS: 'grant.before-commit=delay:60000',
        SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
      });
      await sut.placeOrders(orders, mixedOrders(sut.userPrefix, 20, 4));
      await waitForGrantsInHand(sut);
      const stopped = await terminate(rewards);
      expect(stopped).toMatchObject({ code: 1, signal: null });
      expect(stopped.exitMs).toBeGreaterThanOrEqual(deadlineMs);
      expect(stopped.exitMs).toBeLessThan(deadlineMs + 5_000);
      expect(rewards.process.output()).toContain('shutdown deadline passed');
      expect(await committedButUnfinished(sut)).toEqual([]);

      sut.apps.splice(sut.apps.indexOf(rewards), 1);
      const restartedAt = Date.now();
      await sut.startApp('reward-service');
      const drainMs = await timeUntilEveryonePaid(sut, restartedAt);
      await sut.waitForQuiescence(60_000);
      expectPaidOnce(
        await measureOutcome(sut),
        `all paid ${seconds(drainMs)} after a new reward service started`,
        `SIGTERM with every grant stalled: exit code 1 after ${seconds(stopped.exitMs)} (SHUTDOWN_TIMEOUT_MS ${seconds(deadlineMs)}); no offset committed past an unfinished message`,
      );
    },
  );
});

interface MonitorAlert {
  at: number;
  observer: string;
  reason: string;
  pendingRepairs?: number;
}

interface RunRow {
  trigger: string;
  status: string;
  failed: number;
  pending_retried: number;
  pending_left: number | null;
  started_at: Date;
  finished_at: Date;
}

/** The outbox relay's part of a readiness answer given to the admin. */
function relayOf(answer: { body: string }): { state?: string; degraded?: string; sendFailingMs?: number } {
  const body = JSON.parse(answer.body) as { details?: Record<string, Record<string, unknown>> };
  return body.details?.['outbox-relay'] ?? {};
}

/**
 * Waits for the first scheduled run that failed a reissue and the later one that left no pending repair,
 * and returns both: the failure, then its repair.
 */
async function scheduledRunsUntilRepaired(system: SystemUnderTest): Promise<[RunRow, RunRow]> {
  return pollUntil(
    'a scheduled run to fail a reissue and a later one to repair it',
    async () => {
      const runs = await system.dataSource.query<RunRow[]>(
        `SELECT trigger, status, failed, pending_retried, pending_left, started_at, finished_at
           FROM reconciliation.runs WHERE finished_at IS NOT NULL ORDER BY started_at`,
      );
      const failing = runs.findIndex((run) => run.failed > 0);
      const repairing = runs.findIndex((run, i) => i > failing && run.pending_left === 0);
      return failing >= 0 && repairing > failing ? ([runs[failing], runs[repairing]] as [RunRow, RunRow]) : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** Waits until some row of the customers `whose` says has failed `attempts` times (each after a backoff). */
async function waitForPublishAttempts(
  system: SystemUnderTest,
  whose: (userId: string) => boolean,
  attempts: number,
): Promise<void> {
  await pollUntil(
    `a row of the unwritable partition tried ${attempts} times`,
    async () => ((await publishAttempts(system, whose)).unwritable >= attempts ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/** The reward service is inside a grant: its transaction is open, waiting on the stalled commit. */
async function waitForGrantsInHand(system: SystemUnderTest): Promise<void> {
  await pollUntil(
    'the reward service to be inside a grant transaction',
    async () => {
      const [row] = await system.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'reward-service' AND state = 'idle in transaction'`,
      );
      return Number(row.n) > 0 ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
}

/**
 * Messages below the group's committed offsets whose effect never committed (no processed-message row):
 * a commit past unfinished work, the loss a graceful stop must never cause. Empty when it holds.
 */
async function committedButUnfinished(system: SystemUnderTest): Promise<string[]> {
  const [committed] = await system.admin.fetchOffsets({ groupId: system.group, topics: [system.topic] });
  const commitOf = new Map(committed.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  const processed = new Set(
    (
      await system.dataSource.query<{ event_id: string }[]>(
        'SELECT event_id FROM rewards.processed_messages WHERE consumer_group = $1',
        [system.group],
      )
    ).map((row) => row.event_id),
  );
  const offsets = await system.admin.fetchTopicOffsets(system.topic);
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const reader = await TopicReader.start(system.kafka, system.topic, `${system.namespace}.commits-check`);
  try {
    await reader.waitFor(`all ${total} messages of ${system.topic}`, (messages) => messages.length >= total, 60_000);
    return reader.messages
      .filter((m) => BigInt(m.offset) < (commitOf.get(m.partition) ?? -1n))
      .map((m) => m.headers?.[EVENT_HEADERS.eventId]?.toString() ?? '')
      .filter((eventId) => !processed.has(eventId))
      .map((eventId) => `${eventId} below the committed offset without its effect`);
  } finally {
    await reader.stop();
  }
}
