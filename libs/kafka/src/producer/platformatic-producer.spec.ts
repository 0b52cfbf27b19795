import { classifyError } from '@redpacket/errors';
import { UnacknowledgedPartitionsError } from './event-producer';
import { KafkaSendError } from './platformatic-producer';

/** The shapes @platformatic/kafka fails a send with: an aggregate of per-broker aggregates of protocol errors. */
const refusal = (apiId: string, canRetry: boolean) =>
  Object.assign(new Error(apiId), { code: 'PLT_KFK_PROTOCOL', apiId, canRetry });
const aggregate = (...errors: Error[]) =>
  Object.assign(new AggregateError(errors, 'Producing messages failed.'), { code: 'PLT_KFK_MULTIPLE' });

describe('KafkaSendError.from', () => {
  it('names the final refusal inside an aggregate and makes it not retriable', () => {
    const error = KafkaSendError.from('orders', aggregate(aggregate(refusal('MESSAGE_TOO_LARGE', false))));
    expect(classifyError(error)).toEqual({ code: 'KAFKA_MESSAGE_TOO_LARGE', retriable: false });
    expect(error.message).toContain('send to orders failed: MESSAGE_TOO_LARGE');
  });

  it('keeps a refusal the library would retry retriable', () => {
    const error = KafkaSendError.from('orders', aggregate(refusal('NOT_LEADER_OR_FOLLOWER', true)));
    expect(classifyError(error)).toEqual({ code: 'KAFKA_NOT_LEADER_OR_FOLLOWER', retriable: true });
  });

  it('makes a network failure or a timeout retriable, coded by the library', () => {
    const timeout = Object.assign(new Error('Request timed out'), { code: 'PLT_KFK_TIMEOUT' });
    expect(classifyError(KafkaSendError.from('orders', timeout))).toEqual({
      code: 'KAFKA_PLT_KFK_TIMEOUT',
      retriable: true,
    });
  });

  it('leaves the port’s own errors as they are', () => {
    const unacknowledged = new UnacknowledgedPartitionsError('orders', [2]);
    expect(KafkaSendError.from('orders', unacknowledged)).toBe(unacknowledged);
  });
});
