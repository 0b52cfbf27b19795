import { ProbeWrites } from './probe-writes';

describe('ProbeWrites', () => {
  it('turns blind once writes have failed in a row for the bound, says so once, and clears on a write', () => {
    const writes = new ProbeWrites(1_000);
    expect(writes.failed('fetch failed', 0)).toBe(false);
    expect(writes.reading(500)).toEqual({ failingForMs: 500, blind: false, lastError: 'fetch failed' });
    expect(writes.failed('fetch failed', 1_000)).toBe(true);
    expect(writes.failed('HTTP 503', 2_000)).toBe(false);
    expect(writes.reading(2_500)).toEqual({ failingForMs: 2_500, blind: true, lastError: 'HTTP 503' });
    expect(writes.written()).toBe(true);
    expect(writes.reading(3_000)).toEqual({ failingForMs: 0, blind: false });
  });

  it('lets one failed write between good ones pass without turning blind', () => {
    const writes = new ProbeWrites(1_000);
    expect(writes.failed('fetch failed', 0)).toBe(false);
    expect(writes.written()).toBe(false);
    expect(writes.failed('fetch failed', 1_500)).toBe(false);
    expect(writes.reading(1_500).blind).toBe(false);
  });
});
