import { classifyError } from './classify-error';
import { RedpacketError } from './redpacket.error';

/** Shaped like pg's DatabaseError: an Error with a SQLSTATE code. */
function pgError(code: string): Error {
  return Object.assign(new Error('pg says no'), { code, severity: 'ERROR' });
}

/** Shaped like kafkajs's KafkaJSError subclasses. */
function kafkaError(name: string, retriable: boolean, type?: string): Error {
  return Object.assign(new Error('kafka says no'), { name, retriable, ...(type ? { type } : {}) });
}

class PoisonForTest extends RedpacketError {
  readonly code = 'CONTRACT_VIOLATION';
  readonly retriable = false;
}

describe('RedpacketError', () => {
  it('names itself after its class and keeps its cause', () => {
    const cause = new Error('root');
    const error = new PoisonForTest('bad event', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'PoisonForTest', code: 'CONTRACT_VIOLATION', retriable: false, cause });
  });
});

describe('classifyError', () => {
  it('takes the system’s own errors at their word, also from another copy of the module', () => {
    expect(classifyError(new PoisonForTest('x'))).toEqual({ code: 'CONTRACT_VIOLATION', retriable: false });
    expect(classifyError({ code: 'OPTIMISTIC_CONFLICT_EXHAUSTED', retriable: true })).toEqual({
      code: 'OPTIMISTIC_CONFLICT_EXHAUSTED',
      retriable: true,
    });
  });

  it('does not take a code outside the closed list at its word', () => {
    expect(classifyError({ code: 'PLAIN_OBJECT', retriable: false })).toEqual({ code: 'UNKNOWN', retriable: true });
  });

  it.each([
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['08000', 'connection_exception'],
    ['08006', 'connection_failure'],
    ['57P01', 'admin_shutdown'],
    ['57P03', 'cannot_connect_now'],
    ['57014', 'query_canceled'],
    ['53300', 'too_many_connections'],
    ['55P03', 'lock_not_available'],
    ['42P01', 'undefined_table: the deployment, not the message'],
    ['42501', 'insufficient_privilege: the deployment, not the message'],
  ])('retries Postgres %s (%s)', (sqlstate) => {
    expect(classifyError(pgError(sqlstate))).toEqual({ code: `PG_${sqlstate}`, retriable: true });
  });

  it.each([
    ['22021', 'character_not_in_repertoire: a NUL byte in text'],
    ['22P02', 'invalid_text_representation'],
    ['22003', 'numeric_value_out_of_range'],
    ['22001', 'string_data_right_truncation'],
    ['23514', 'check_violation'],
    ['23502', 'not_null_violation'],
    ['23505', 'unique_violation the grant does not absorb with ON CONFLICT'],
  ])('treats Postgres %s (%s) as poison', (sqlstate) => {
    expect(classifyError(pgError(sqlstate))).toEqual({ code: `PG_${sqlstate}`, retriable: false });
  });

  it('looks inside TypeORM QueryFailedError.driverError', () => {
    const queryFailed = { name: 'QueryFailedError', message: 'x', driverError: pgError('22021') };
    expect(classifyError(queryFailed)).toEqual({ code: 'PG_22021', retriable: false });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])('retries node network error %s', (code) => {
    const error = Object.assign(new Error(`connect ${code}`), { code, syscall: 'connect' });
    expect(classifyError(error)).toEqual({ code, retriable: true });
  });

  it('follows kafkajs errors’ own retriable flag, coded by the broker’s error name', () => {
    expect(classifyError(kafkaError('KafkaJSConnectionError', true))).toEqual({
      code: 'KAFKA_ConnectionError',
      retriable: true,
    });
    expect(classifyError(kafkaError('KafkaJSProtocolError', false, 'MESSAGE_TOO_LARGE'))).toEqual({
      code: 'KAFKA_MESSAGE_TOO_LARGE',
      retriable: false,
    });
    const wrapped = Object.assign(kafkaError('KafkaJSNonRetriableError', false), {
      cause: { type: 'TOPIC_AUTHORIZATION_FAILED' },
    });
    expect(classifyError(wrapped)).toEqual({ code: 'KAFKA_TOPIC_AUTHORIZATION_FAILED', retriable: false });
  });

  it("reads libs/kafka's KafkaSendError (the @platformatic/kafka producer) the same way", () => {
    const refused = Object.assign(new Error('send failed'), {
      name: 'KafkaSendError',
      type: 'MESSAGE_TOO_LARGE',
      retriable: false,
    });
    expect(classifyError(refused)).toEqual({ code: 'KAFKA_MESSAGE_TOO_LARGE', retriable: false });
    const timedOut = Object.assign(new Error('send failed'), {
      name: 'KafkaSendError',
      type: 'PLT_KFK_TIMEOUT',
      retriable: true,
    });
    expect(classifyError(timedOut)).toEqual({ code: 'KAFKA_PLT_KFK_TIMEOUT', retriable: true });
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
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['an unlisted errno', Object.assign(new Error('nope'), { code: 'ENOENT' })],
    ['a numeric code', { code: 40001 }],
  ])('retries %s as UNKNOWN: an unknown error never dead-letters a good message', (_label, error) => {
    expect(classifyError(error)).toEqual({ code: 'UNKNOWN', retriable: true });
  });
});
