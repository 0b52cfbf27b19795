import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-logger';

describe('kafkaLogCreator', () => {
  const calls: [string, string][] = [];
  const logger = {
    log: (message: string) => calls.push(['log', message]),
    warn: (message: string) => calls.push(['warn', message]),
    error: (message: string) => calls.push(['error', message]),
    debug: (message: string) => calls.push(['debug', message]),
  };
  const write = kafkaLogCreator(logger)(logLevel.DEBUG);
  const entry = (level: logLevel, message: string) => ({
    namespace: 'Producer',
    level,
    label: '',
    log: { message, timestamp: '', logger: 'kafkajs' },
  });

  beforeEach(() => (calls.length = 0));

  it('logs the warning about bounded idempotent retries at debug: the bound is deliberate', () => {
    write(entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    expect(calls).toEqual([['debug', 'Limiting retries for the idempotent producer may invalidate EoS guarantees']]);
  });

  it('logs a CreateTopics error answer at debug: the topic bootstrap reports what it means', () => {
    write({
      ...entry(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)'),
      log: {
        message: 'Response CreateTopics(key: 19, version: 3)',
        error: 'Topic creation errors',
        timestamp: '',
        logger: '',
      },
    });
    expect(calls).toEqual([['debug', 'Response CreateTopics(key: 19, version: 3)']]);
  });

  it('logs a retriable answer at debug: kafkajs asks again, and the caller sees the error if retries run out', () => {
    const answer = (error: string) => ({
      ...entry(logLevel.ERROR, 'Response ListOffsets(key: 2, version: 3)'),
      log: { message: 'Response ListOffsets(key: 2, version: 3)', error, timestamp: '', logger: '' },
    });
    write(answer('This server is not the leader for that topic-partition'));
    write(answer('Not authorized to access topics: [Topic authorization failed]'));
    expect(calls).toEqual([
      ['debug', 'Response ListOffsets(key: 2, version: 3)'],
      ['error', 'Response ListOffsets(key: 2, version: 3)'],
    ]);
  });

  it('keeps every other warning and error at its level', () => {
    write(entry(logLevel.WARN, 'Response Produce(key: 0, version: 7) timed out'));
    write(entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED'));
    expect(calls).toEqual([
      ['warn', 'Response Produce(key: 0, version: 7) timed out'],
      ['error', 'Connection error: connect ECONNREFUSED'],
    ]);
  });
});
