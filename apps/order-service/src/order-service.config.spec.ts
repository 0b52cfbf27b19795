import { type ConfigValidationError, loadConfig } from '@redpacket/config';
import { orderAdmissionOptions, OrderServiceConfig } from './order-service.config';

const validEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/redpacket',
  KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWT_SECRET: 'a-development-secret-of-32-chars!',
};

const admission = (env: Record<string, string> = {}) =>
  orderAdmissionOptions(loadConfig(OrderServiceConfig, { ...validEnv, ...env }));

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(OrderServiceConfig, { ...validEnv, ...env });
    return [];
  } catch (error) {
    return (error as ConfigValidationError).problems;
  }
}

describe('OrderServiceConfig: the bounds on orders in flight', () => {
  it('lets a customer hold 2 orders in flight, and runs 6 of a pool of 10 with 40 queued for at most 1 s', () => {
    expect(admission()).toEqual({ perCustomer: 2, running: 6, queued: 40, maxQueueWaitMs: 1_000 });
  });

  it("runs as many orders as the pool has connections less the relay's (while it runs) and one, at least 1", () => {
    expect(admission({ DATABASE_POOL_SIZE: '20', OUTBOX_PIPELINE_DEPTH: '4' }).running).toBe(15);
    expect(admission({ DATABASE_POOL_SIZE: '4', OUTBOX_RELAY_ENABLED: 'false' }).running).toBe(3);
    expect(admission({ DATABASE_POOL_SIZE: '4' }).running).toBe(1);
  });

  it('takes the bounds as given', () => {
    expect(
      admission({
        ORDER_MAX_IN_FLIGHT_PER_CUSTOMER: '3',
        ORDER_MAX_IN_FLIGHT: '9',
        ORDER_MAX_QUEUED: '0',
        ORDER_MAX_QUEUE_WAIT_MS: '250',
      }),
    ).toEqual({ perCustomer: 3, running: 9, queued: 0, maxQueueWaitMs: 250 });
  });

  it('refuses at boot a bound that would let orders hold every pooled connection', () => {
    expect(
      problems({ DATABASE_POOL_SIZE: '5', ORDER_MAX_IN_FLIGHT_PER_CUSTOMER: '4', ORDER_MAX_IN_FLIGHT: '4' }),
    ).toEqual([]);
    expect(
      problems({ DATABASE_POOL_SIZE: '5', ORDER_MAX_IN_FLIGHT_PER_CUSTOMER: '5', ORDER_MAX_IN_FLIGHT: '5' }),
    ).toEqual([
      expect.stringMatching(/^ORDER_MAX_IN_FLIGHT_PER_CUSTOMER: .*lower than DATABASE_POOL_SIZE \(5\): one customer/),
      expect.stringMatching(/^ORDER_MAX_IN_FLIGHT: .*lower than DATABASE_POOL_SIZE \(5\)/),
    ]);
  });

  it('refuses bounds that are not whole numbers in range', () => {
    const refused = problems({
      ORDER_MAX_IN_FLIGHT_PER_CUSTOMER: '0',
      ORDER_MAX_IN_FLIGHT: 'many',
      ORDER_MAX_QUEUED: '-1',
      ORDER_MAX_QUEUE_WAIT_MS: '0',
    });
    expect(refused.map((p) => p.split(':')[0]).sort()).toEqual([
      'ORDER_MAX_IN_FLIGHT',
      'ORDER_MAX_IN_FLIGHT_PER_CUSTOMER',
      'ORDER_MAX_QUEUED',
      'ORDER_MAX_QUEUE_WAIT_MS',
    ]);
  });
});
