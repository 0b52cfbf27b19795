import { randomInt, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { log } from './stats';

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
 * POST /orders with autocannon, a fresh Idempotency-Key and a qualifying order (3 items) per
 * request, so every request is a new order and every order earns a packet.
 */
export async function placeOrdersUnderLoad(load: OrderLoad): Promise<OrderLoadResult> {
  const users = load.users ?? 1_000;
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
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            userId: `${load.userPrefix}-u${randomInt(users)}`,
            items: [{ sku: 'BENCH', quantity: 3, unitPriceCents: 1_250 }],
          }),
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
