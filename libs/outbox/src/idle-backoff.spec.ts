import { IdleBackoff, retryDelayMs } from './idle-backoff';

describe('IdleBackoff', () => {
  it('steps from 10 ms up to 100 ms while idle and resets on work', () => {
    const backoff = new IdleBackoff(10, 100);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      10, 20, 40, 80, 100, 100,
    ]);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });
});

describe('retryDelayMs', () => {
  it('doubles per attempt and is capped', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(50)).toBe(10_000);
  });
});
