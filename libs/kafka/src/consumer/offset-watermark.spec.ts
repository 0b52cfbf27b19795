import { OffsetWatermark } from './offset-watermark';

function tracking(...offsets: string[]): OffsetWatermark {
  const watermark = new OffsetWatermark();
  offsets.forEach((offset) => watermark.track(offset));
  return watermark;
}

describe('OffsetWatermark', () => {
  it('has nothing to commit before anything finishes', () => {
    const watermark = tracking('5', '6');
    expect(watermark.committable()).toBeUndefined();
    expect(new OffsetWatermark().committable()).toBeUndefined();
  });

  it('advances one past each message finished in order', () => {
    const watermark = tracking('5', '6', '7');
    watermark.complete('5');
    expect(watermark.committable()).toBe('6');
    watermark.complete('6');
    watermark.complete('7');
    expect(watermark.committable()).toBe('8');
    expect(watermark.inFlight()).toBe(0);
  });

  it('holds at the first unfinished message when later ones finish first', () => {
    const watermark = tracking('5', '6', '7', '8');
    watermark.complete('6');
    watermark.complete('8');
    expect(watermark.committable()).toBeUndefined();
    watermark.complete('5');
    expect(watermark.committable()).toBe('7');
    expect(watermark.inFlight()).toBe(1);
    watermark.complete('7');
    expect(watermark.committable()).toBe('9');
  });

  describe('with gaps between offsets', () => {
    it('commits past the last message once all have finished', () => {
      const watermark = tracking('5', '6', '9');
      watermark.complete('9');
      watermark.complete('6');
      watermark.complete('5');
      expect(watermark.committable()).toBe('10');
    });

    it('commits the first unfinished message', () => {
      const watermark = tracking('5', '6', '9');
      watermark.complete('5');
      watermark.complete('9');
      expect(watermark.committable()).toBe('6');
    });

    it('skips the gap up to an unfinished message', () => {
      const watermark = tracking('5', '9');
      watermark.complete('5');
      expect(watermark.committable()).toBe('9');
    });

    it('keeps the watermark when new messages arrive after everything finished', () => {
      const watermark = tracking('5');
      watermark.complete('5');
      watermark.track('12');
      expect(watermark.committable()).toBe('6');
      watermark.complete('12');
      expect(watermark.committable()).toBe('13');
    });
  });

  it('offers each watermark once', () => {
    const watermark = tracking('5', '6');
    watermark.complete('5');
    watermark.markCommitted('6');
    expect(watermark.committable()).toBeUndefined();
    watermark.complete('6');
    expect(watermark.committable()).toBe('7');
    watermark.markCommitted('7');
    expect(watermark.committable()).toBeUndefined();
  });

  it('ignores a commit acknowledgement older than one already recorded', () => {
    const watermark = tracking('5', '6');
    watermark.complete('5');
    watermark.complete('6');
    watermark.markCommitted('7');
    watermark.markCommitted('6');
    expect(watermark.committable()).toBeUndefined();
  });

  it('throws when completing an offset that is not in flight', () => {
    const watermark = tracking('5', '7');
    expect(() => watermark.complete('6')).toThrow(/not in flight/);
    watermark.complete('7');
    expect(() => watermark.complete('7')).toThrow(/not in flight/);
    watermark.complete('5');
    expect(() => watermark.complete('5')).toThrow(/not in flight/);
  });

  it('throws when offsets do not increase', () => {
    const watermark = tracking('5');
    expect(() => watermark.track('5')).toThrow(/must increase/);
    expect(() => watermark.track('4')).toThrow(/must increase/);
  });

  it('rejects strings that are not offsets', () => {
    const watermark = new OffsetWatermark();
    for (const bad of ['', ' 5', '0x10', '-1', '1e3']) expect(() => watermark.track(bad)).toThrow(RangeError);
  });

  it('forgets everything on reset', () => {
    const watermark = tracking('5', '6');
    watermark.complete('5');
    watermark.markCommitted('6');
    watermark.reset();
    expect(watermark.inFlight()).toBe(0);
    expect(watermark.committable()).toBeUndefined();
    expect(() => watermark.complete('6')).toThrow(/not in flight/);
    // After a rebalance the partition may be fetched again from an earlier offset.
    watermark.track('3');
    watermark.complete('3');
    expect(watermark.committable()).toBe('4');
  });

  it('is exact for offsets beyond 2^53', () => {
    // 9007199254740993 is 2^53 + 1, which a float would read as 2^53.
    const watermark = tracking('9007199254740992', '9007199254740993', '9007199254740994');
    watermark.complete('9007199254740992');
    watermark.complete('9007199254740994');
    expect(watermark.committable()).toBe('9007199254740993');
    watermark.complete('9007199254740993');
    expect(watermark.committable()).toBe('9007199254740995');
  });

  it('handles the largest int64 offset', () => {
    const watermark = tracking('9223372036854775806');
    watermark.complete('9223372036854775806');
    expect(watermark.committable()).toBe('9223372036854775807');
  });

  it('tells which offsets of a batch fetched again are still work', () => {
    const watermark = tracking('10', '11', '12', '13');
    watermark.complete('10');
    watermark.complete('12');
    expect(['9', '10', '11', '12', '13', '14'].map((o) => watermark.status(o))).toEqual([
      'finished',
      'finished',
      'pending',
      'finished',
      'pending',
      'new',
    ]);
  });
});
