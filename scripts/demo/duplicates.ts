import { measureOutcome } from '../../testkit/system/outcome';
import {
  consumedByOutcome,
  countOrders,
  deleteOutboxRows,
  placeEachTwice,
  plannedOrders,
  qualifies,
  qualifyingOrders,
  reconcileNow,
  reproduceTopic,
  waitForHalfway,
} from './duplicates.helpers';
import { invariantLines, invariantsOf, type KeyCheck, ledgerTable } from './duplicates.ledger';
import { DemoSession, elapsedSeconds, say, stopGracefully, strategyFromEnv } from './duplicates.session';

const ORDERS = 60;
const USERS = 10;
const COPIES = 3;
const LATE_ORDERS = 20;
const LOST_EVERY = 4;
const SLOW_MS = 25;

/**
 * `npm run demo:duplicates`: the whole system, each app its own process, delivered every kind of
 * duplicate and a few losses, then its ledger. Exit 0 only if every invariant holds (1: an invariant
 * fails, 2: the demo could not finish). DEMO_STRATEGY=none shows what it looks like when one fails.
 */
async function main(): Promise<void> {
  const strategy = strategyFromEnv();
  const session = new DemoSession();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    session.interrupted = true;
    say(`${signal}: stopping every process the demo started and cleaning up.`);
    void session
      .close()
      .then(() => say('Stopped.'))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  say(`Duplicate-delivery demo: the reward service grants with strategy ${strategy}.`);
  try {
    await session.open(strategy);
    const holds = await runDemo(session);
    if (!holds) say(`The apps' last log lines:\n${session.logs()}`);
    process.exitCode = holds ? 0 : 1;
  } catch (error) {
    if (session.interrupted) return;
    say(`The demo could not finish: ${(error as Error).message}\n${session.logs()}`);
    process.exitCode = 2;
  } finally {
    if (!session.interrupted) {
      say('Stopping every process the demo started, removing its topics and groups.');
      await session.close();
      say(`Done in ${elapsedSeconds()} s.`);
    }
  }
}

async function runDemo(session: DemoSession): Promise<boolean> {
  const { system } = session;
  say(`Starting the order service, its own process, in namespace ${system.namespace}. No reward service runs yet.`);
  const shop = await system.startApp('order-service');

  step(`Placing ${ORDERS} orders for ${USERS} users, each POST sent twice with the same Idempotency-Key,
    as a client does when it never heard the first answer. The second answer must be a replay.`);
  const posted = await placeEachTwice(shop, system.namespace, plannedOrders(system.userPrefix, ORDERS, USERS));
  const keys: KeyCheck = {
    keys: new Set(posted.map((p) => p.key)).size,
    orders: await countOrders(system),
    replayed: posted.filter((p) => p.replayed).length,
  };
  const example = posted.find((p) => p.key.endsWith('-order-0')) ?? posted[0];
  const [firstHeader, secondHeader] = example.headers.map((h) => `idempotent-replayed: ${h ?? '(absent)'}`);
  say(`  Key ${example.key}:`);
  say(`    first answer  201, order ${example.first.orderId}, ${firstHeader}`);
  say(`    second answer 201, order ${example.second.orderId}, ${secondHeader}`);
  say(
    `  ${posted.length * 2} POSTs, ${keys.keys} distinct keys, ${keys.replayed} replayed answers, ${keys.orders} orders in the database.`,
  );

  step(`Reading the ${ORDERS} OrderPurchased events back from the topic and producing each of them ${COPIES} more
    times with the same key, value and headers: every order is now on the topic ${COPIES + 1} times.`);
  const copies = await reproduceTopic(system, ORDERS, COPIES);
  say(`  ${copies} copies sent; the topic holds ${ORDERS + copies} messages for ${ORDERS} orders.`);

  const qualifying = posted.filter((p) => qualifies(p.first)).length;
  step(`Starting the reward service, slowed by a failpoint to ${SLOW_MS} ms per message, and killing it with SIGKILL
    halfway: once half of the ${qualifying} qualifying orders are paid or half of the messages committed.`);
  const doomed = await system.startApp('reward-service', { FAILPOINTS: `reward.after-db-commit=delay:${SLOW_MS}` });
  const killPoint = await waitForHalfway(system, qualifying);
  say(
    `  SIGKILL now: ${killPoint.packets} packets granted, ${killPoint.committed} of ${killPoint.total} messages committed.`,
  );
  await doomed.process.kill('SIGKILL');
  narrate(`Starting a new reward service: it resumes from the last committed offsets, so whatever the dead one
    processed after its last commit is delivered again. It joins once the broker gives up on the dead member.`);
  const successor = await system.startApp('reward-service');
  await system.waitForQuiescence();
  const outcomes = Object.entries(await consumedByOutcome(successor));
  const handled = outcomes.reduce((sum, [, count]) => sum + count, 0);
  say(
    `  Lag 0. The new reward service handled ${handled} messages: ${outcomes.map(([o, n]) => `${o} ${n}`).join(', ')}.`,
  );

  step(`Restarting the order service with its outbox relay off, placing ${LATE_ORDERS} more qualifying orders,
    and deleting the outbox rows of every ${LOST_EVERY}th before they are published: those events never reach Kafka.`);
  await stopGracefully(shop.process);
  const held = await system.startApp('order-service', { OUTBOX_RELAY_ENABLED: 'false' });
  const late = await system.placeOrders(held, qualifyingOrders(system.userPrefix, LATE_ORDERS, USERS));
  const lost = late.filter((_, i) => i % LOST_EVERY === 0);
  const deleted = await deleteOutboxRows(system, lost);
  say(`  ${late.length} orders placed, ${deleted} of their outbox rows deleted unpublished.`);
  say(`Starting an order service with its relay on, so the other ${late.length - deleted} events flow.`);
  await stopGracefully(held.process);
  await system.startApp('order-service');
  await system.waitForQuiescence();
  say(`  ${(await measureOutcome(system)).missing} qualifying orders have no packet.`);
  say(
    'Running the reconciler once, grace period 0: it decides every order without a decision, paying those that qualify.',
  );
  const run = await reconcileNow(system, session.others);
  say(
    `  Scanned ${run.scanned} orders: ${run.missing} had no decision, ${run.eligible} of them qualify, ${run.reissued} reissued.`,
  );

  step(`Waiting for quiescence (every outbox row published, consumer lag 0), then measuring the ledger
    from the database and the broker.`);
  await system.waitForQuiescence();
  const outcome = await measureOutcome(system);
  for (const line of ledgerTable(outcome)) say(line);
  const invariants = invariantsOf(outcome, keys);
  for (const line of invariantLines(invariants)) say(line);
  const failed = invariants.filter((invariant) => !invariant.holds).length;
  say(
    failed === 0
      ? `All ${invariants.length} invariants hold: every duplicate was delivered, none was paid twice.`
      : `${failed} of ${invariants.length} invariants FAIL${outcome.double > 0 ? ': customers were paid more than once' : ''}.`,
  );
  return failed === 0;
}

let stepsTaken = 0;

function step(text: string): void {
  stepsTaken += 1;
  console.log('');
  narrate(`Step ${stepsTaken} of 5. ${text}`);
}

/** Narration is written across lines in the source and printed as one. */
function narrate(text: string): void {
  say(text.replace(/\n\s+/g, ' '));
}

main().catch((error: unknown) => {
  console.error((error as Error).message ?? error);
  process.exit(2);
});
