import { classifyError } from '@redpacket/errors';
import {
  CustomerOrdersInFlightError,
  DatabaseBusyError,
  isDatabaseBusy,
  OrdersOverloadedError,
} from './order-admission.errors';

/** Shaped like pg's DatabaseError: an Error with a SQLSTATE code. */
const pgError = (code: string) => Object.assign(new Error('pg says no'), { code, severity: 'FATAL' });

describe('isDatabaseBusy', () => {
  it.each([
    ['the pool found no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['a new connection took too long to open', new Error('Connection terminated due to connection timeout')],
    ['Postgres has no connection left (53300)', pgError('53300')],
    ['Postgres is starting or shutting down (57P03)', pgError('57P03')],
  ])('is true when %s: the statement never ran', (_label, error) => {
    expect(isDatabaseBusy(error)).toBe(true);
  });

  it.each([
    ['a lock wait that ran out (55P03): the statement ran, a 409', pgError('55P03')],
    ['a connection lost mid-statement', new Error('Connection terminated unexpectedly')],
    ['a constraint violation', pgError('23505')],
    ['a plain error', new Error('boom')],
    ['not an error', 'timeout exceeded when trying to connect'],
    ['null', null],
  ])('is false for %s', (_label, error) => {
    expect(isDatabaseBusy(error)).toBe(false);
  });
});

describe('the order refusals', () => {
  it.each([
    [new CustomerOrdersInFlightError(2), 'CUSTOMER_ORDERS_IN_FLIGHT'],
    [new OrdersOverloadedError(), 'ORDERS_OVERLOADED'],
    [new DatabaseBusyError(new Error('timeout exceeded when trying to connect')), 'DATABASE_BUSY'],
  ])('%s carries a listed code, is retriable, and says when to retry', (error, code) => {
    expect(classifyError(error)).toEqual({ code, retriable: true });
    expect(error.retryAfterSeconds).toBe(1);
  });
});
