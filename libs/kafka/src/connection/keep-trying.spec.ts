import { RedpacketError } from '@redpacket/errors';
import { keepTrying, StoppedTrying } from './keep-trying';

class Mismatch extends RedpacketError {
  readonly code = 'TOPIC_MISMATCH';
  readonly retriable = false;
}

const quiet = { warn: () => undefined };
const fast = { minDelayMs: 1, maxDelayMs: 2, logger: quiet };

describe('keepTrying', () => {
  it('tries again after every failure until the work succeeds', async () => {
    let attempts = 0;
    const failures: number[] = [];
    const result = await keepTrying(
      async () => {
        attempts += 1;
        if (attempts < 4) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        return 'connected';
      },
      { ...fast, what: 'connecting', signal: new AbortController().signal, onFailure: (_, n) => failures.push(n) },
    );
    expect({ result, attempts, failures }).toEqual({ result: 'connected', attempts: 4, failures: [1, 2, 3] });
  });

  it("outlasts a client's own non-retriable error after its retries: an outage is waited for", async () => {
    let attempts = 0;
    const gaveUp = Object.assign(new Error('Connection error'), { name: 'KafkaJSNonRetriableError', retriable: false });
    await keepTrying(
      async () => {
        if (++attempts < 3) throw gaveUp;
      },
      { ...fast, what: 'connecting', signal: new AbortController().signal },
    );
    expect(attempts).toBe(3);
  });

  it('stops at an error of ours that says retrying cannot help', async () => {
    const mismatch = new Mismatch('topic has 3 partitions, 6 are configured');
    await expect(
      keepTrying(() => Promise.reject(mismatch), {
        ...fast,
        what: 'ensuring topics',
        signal: new AbortController().signal,
      }),
    ).rejects.toBe(mismatch);
  });

  it('stops when its signal is aborted, mid-wait', async () => {
    const stop = new AbortController();
    const trying = keepTrying(() => Promise.reject(new Error('down')), {
      what: 'connecting',
      signal: stop.signal,
      logger: quiet,
      minDelayMs: 60_000,
      onFailure: () => stop.abort(),
    });
    await expect(trying).rejects.toBeInstanceOf(StoppedTrying);
  });

  it('stops when its signal is aborted, mid-attempt', async () => {
    const stop = new AbortController();
    const trying = keepTrying(() => new Promise<never>(() => undefined), {
      what: 'connecting',
      signal: stop.signal,
      logger: quiet,
    });
    stop.abort();
    await expect(trying).rejects.toBeInstanceOf(StoppedTrying);
  });
});
