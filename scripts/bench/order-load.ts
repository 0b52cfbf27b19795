import { randomInt, randomUUID } from 'node:crypto';
import { setImmediate as yieldToIo, setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { asCustomer } from '../../testkit/support/customer';
import { log, percentileOfSorted } from './stats';

export interface OrderLoad {
  url: string;
  connections: number;
  seconds: number;
  /** Orders per second across all connections; unlimited (closed loop) when absent. */
  overallRate?: number;
  /** Every order's userId starts with this, so SQL can find exactly this load's orders. */
  userPrefix: string;
  users?: number;
}

export interface OrderLoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  created: number;
  failed: number;
}

/**
 * POST /orders with autocannon at fixed concurrency (a closed loop: throughput), a fresh
 * Idempotency-Key and a qualifying order (3 items) per request, so every request is a new order and
 * every order earns a packet.
 */
export async function placeOrdersUnderLoad(load: OrderLoad): Promise<OrderLoadResult> {
  const customers = await customerHeaders(load.userPrefix, load.users ?? 1_000);
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.seconds,
    overallRate: load.overallRate,
    requests: [
      {
        method: 'POST',
        path: '/orders',
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...anyOf(customers) },
          body: ORDER_BODY,
        }),
      },
    ],
  });
  if (result.non2xx + result.errors > 0)
    log(
      `POST /orders: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; statuses ${JSON.stringify(result.statusCodeStats)}`,
    );
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    created: result['2xx'],
    failed: result.non2xx + result.errors,
  };
}

export interface SteadyOrderLoad {
  url: string;
  perSecond: number;
  seconds: number;
  userPrefix: string;
  users?: number;
}

/** One request of a steady load that got its 201, timed on the wall clock the other processes stamp. */
export interface AnsweredOrder {
  orderId: string;
  /** Epoch milliseconds (sub-millisecond) when the request left. */
  sentAtMs: number;
  /** Epoch milliseconds when the 201 and its body had arrived. */
  answeredAtMs: number;
}

export interface SteadyOrderLoadResult extends OrderLoadResult, RequestsNotCreated {
  /** How far behind its schedule the last request left: near 0 unless the generator itself fell behind. */
  behindScheduleMs: number;
  /** Every created order, in the order their answers came. */
  answered: AnsweredOrder[];
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * An open-loop load at a steady rate: request i leaves at start + i / perSecond whether or not the
 * earlier ones have been answered, so a slow answer never holds back the next request (no
 * coordinated omission) and there are no bursts. autocannon's rate limit is not that: each of its
 * connections sends its whole quota for the second back to back, at the top of every second.
 */
export async function placeOrdersAtSteadyRate(load: SteadyOrderLoad): Promise<SteadyOrderLoadResult> {
  const customers = await customerHeaders(load.userPrefix, load.users ?? 1_000);
  const total = Math.round(load.perSecond * load.seconds);
  const intervalMs = 1_000 / load.perSecond;
  const latencies: number[] = [];
  const answered: AnsweredOrder[] = [];
  let failed = 0;
  const failures = new Map<string, number>();
  const requests: Promise<void>[] = [];
  const toWallClock = wallClockOffsetMs();
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + i * intervalMs - performance.now();
    // Behind schedule: still let answers in between requests, or the generator starves its own event loop.
    await (wait > 0 ? delay(wait) : yieldToIo());
    const sentAt = performance.now();
    requests.push(
      postOrder(load.url, anyOf(customers)).then(
        (orderId) => {
          const answeredAt = performance.now();
          latencies.push(answeredAt - sentAt);
          answered.push({ orderId, sentAtMs: sentAt + toWallClock, answeredAtMs: answeredAt + toWallClock });
        },
        (error: Error) => {
          failed += 1;
          const reason = error.name === 'TimeoutError' ? 'timeout' : error.message.replace('POST /orders: ', '');
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        },
      ),
    );
  }
  const behindScheduleMs = Math.max(0, performance.now() - (start + (total - 1) * intervalMs));
  const sendingSeconds = Math.max(load.seconds, (performance.now() - start) / 1_000);
  await Promise.all(requests);
  if (failed > 0)
    log(
      `POST /orders: ${failed} of ${total} requests failed (${[...failures].map(([why, n]) => `${why}: ${n}`).join(', ')})`,
    );
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / sendingSeconds,
    p50Ms: percentileOfSorted(latencies, 50),
    p99Ms: percentileOfSorted(latencies, 99),
    created: latencies.length,
    failed,
    ...notCreated(failures),
    behindScheduleMs,
    answered,
  };
}

/** The requests of a load that got no 201, by what they got instead. */
export interface RequestsNotCreated {
  /** 503 or 429 with Retry-After: the service said it could not take the order now, and wrote nothing. */
  refused: number;
  /** Any other 5xx: an error where a refusal was due. */
  serverErrors: number;
  /** No answer within the client's 10 s. */
  timeouts: number;
}

function notCreated(failures: ReadonlyMap<string, number>): RequestsNotCreated {
  const count = (matches: (reason: string) => boolean) =>
    [...failures].filter(([reason]) => matches(reason)).reduce((sum, [, n]) => sum + n, 0);
  return {
    refused: count((reason) => reason === 'HTTP 503' || reason === 'HTTP 429'),
    serverErrors: count((reason) => /^HTTP 5\d\d$/.test(reason) && reason !== 'HTTP 503'),
    timeouts: count((reason) => reason === 'timeout'),
  };
}

/**
 * What to add to performance.now() for epoch milliseconds, taken at an edge of Date.now() so it is
 * exact to well under a millisecond. Taken per load: over a long run the monotonic clock and the wall
 * clock (which Postgres and kafkajs stamp with) may drift apart.
 */
function wallClockOffsetMs(): number {
  const before = Date.now();
  let now = before;
  while (now === before) now = Date.now();
  return now - performance.now();
}

/** Resolves with the created order's id. */
async function postOrder(url: string, customer: { authorization: string }): Promise<string> {
  const response = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...customer },
    body: ORDER_BODY,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  // Reading the body also frees the keep-alive connection for the next request.
  const body = (await response.json().catch(() => undefined)) as { orderId?: string } | undefined;
  if (response.status !== 201 || !body?.orderId) throw new Error(`POST /orders: HTTP ${response.status}`);
  return body.orderId;
}

const ORDER_BODY = JSON.stringify({ items: [{ sku: 'MUG', quantity: 3 }] });

/** One token per user, signed before the load starts: signing is not what is measured. */
async function customerHeaders(userPrefix: string, users: number): Promise<{ authorization: string }[]> {
  return Promise.all(Array.from({ length: users }, (_, i) => asCustomer(`${userPrefix}-u${i}`)));
}

function anyOf<T>(items: T[]): T {
  return items[randomInt(items.length)];
}
