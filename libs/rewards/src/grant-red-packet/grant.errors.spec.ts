import {
  classifyError,
  GrantError,
  OptimisticConflictExhaustedError,
  TransientInfrastructureError,
} from './grant.errors';

/** Shaped like pg's DatabaseError: an Error with a SQLSTATE code. */
function pgError(code: string): Error {
  return Object.assign(new Error('pg says no'), { code, severity: 'ERROR' });
}

/** Shaped like kafkajs's KafkaJSError subclasses. */
function kafkaError(name: string, retriable: boolean): Error {
  return Object.assign(new Error('kafka says no'), { name, retriable });
}

describe('grant errors', () => {
  it('OptimisticConflictExhaustedError is a retriable GrantError carrying the attempts', () => {
    const error = new OptimisticConflictExhaustedError(5);
    expect(error).toBeInstanceOf(GrantError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'OptimisticConflictExhaustedError',
      code: 'OPTIMISTIC_CONFLICT_EXHAUSTED',
      retriable: true,
      attempts: 5,
    });
    expect(error.message).toContain('5 attempts');
  });

  it('TransientInfrastructureError is a retriable GrantError carrying its cause', () => {
    const cause = new Error('socket hang up');
    const error = new TransientInfrastructureError('database unreachable', cause);
    expect(error).toBeInstanceOf(GrantError);
    expect(error).toMatchObject({ name: 'TransientInfrastructureError', code: 'TRANSIENT_INFRASTRUCTURE' });
    expect(error.retriable).toBe(true);
    expect(error.cause).toBe(cause);
  });
});

describe('classifyError', () => {
  it('takes errors that classify themselves at their word', () => {
    expect(classifyError(new OptimisticConflictExhaustedError(3))).toEqual({
      code: 'OPTIMISTIC_CONFLICT_EXHAUSTED',
      retriable: true,
    });
    expect(classifyError(new TransientInfrastructureError('down'))).toEqual({
      code: 'TRANSIENT_INFRASTRUCTURE',
      retriable: true,
    });
    const contractViolation = Object.assign(new Error('bad event'), { code: 'CONTRACT_VIOLATION', retriable: false });
    expect(classifyError(contractViolation)).toEqual({ code: 'CONTRACT_VIOLATION', retriable: false });
    expect(classifyError({ code: 'PLAIN_OBJECT', retriable: false })).toEqual({
      code: 'PLAIN_OBJECT',
      retriable: false,
    });
  });

  it.each([
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['08000', 'connection_exception'],
    ['08006', 'connection_failure'],
    ['08P01', 'protocol_violation'],
    ['57P01', 'admin_shutdown'],
    ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now'],
    ['53300', 'too_many_connections'],
  ])('retries Postgres %s (%s)', (sqlstate) => {
    expect(classifyError(pgError(sqlstate))).toEqual({ code: `PG_${sqlstate}`, retriable: true });
  });

  it('looks inside TypeORM QueryFailedError.driverError', () => {
    const queryFailed = Object.assign(new Error('could not serialize access'), {
      name: 'QueryFailedError',
      driverError: pgError('40001'),
    });
    expect(classifyError(queryFailed)).toEqual({ code: 'PG_40001', retriable: true });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])('retries node network error %s', (code) => {
    const error = Object.assign(new Error(`connect ${code}`), { code, syscall: 'connect' });
    expect(classifyError(error)).toEqual({ code, retriable: true });
  });

  it('finds a network error wrapped in driverError', () => {
    const wrapped = {
      name: 'QueryFailedError',
      driverError: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    };
    expect(classifyError(wrapped)).toEqual({ code: 'ECONNRESET', retriable: true });
  });

  it('follows kafkajs errors own retriable flag, coded by name', () => {
    expect(classifyError(kafkaError('KafkaJSConnectionError', true))).toEqual({
      code: 'KafkaJSConnectionError',
      retriable: true,
    });
    expect(classifyError(kafkaError('KafkaJSNonRetriableError', false))).toEqual({
      code: 'KafkaJSNonRetriableError',
      retriable: false,
    });
  });

  it('does not take a retriable flag from an error that is not from kafkajs', () => {
    expect(classifyError(Object.assign(new Error('x'), { name: 'SomethingElse', retriable: false }))).toEqual({
      code: 'UNKNOWN',
      retriable: true,
    });
  });

  it('retries a dropped connection reported only in the message', () => {
    expect(classifyError(new Error('Connection terminated unexpectedly'))).toEqual({
      code: 'CONNECTION_TERMINATED',
      retriable: true,
    });
    const queryFailed = { name: 'QueryFailedError', driverError: new Error('Connection terminated due to timeout') };
    expect(classifyError(queryFailed)).toEqual({ code: 'CONNECTION_TERMINATED', retriable: true });
  });

  it('retries Postgres errors outside the known-transient list as UNKNOWN', () => {
    expect(classifyError(pgError('23505'))).toEqual({ code: 'UNKNOWN', retriable: true });
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['an unlisted errno', Object.assign(new Error('nope'), { code: 'ENOENT' })],
    ['a numeric code', { code: 40001 }],
  ])('retries %s as UNKNOWN', (_label, error) => {
    expect(classifyError(error)).toEqual({ code: 'UNKNOWN', retriable: true });
  });
});
