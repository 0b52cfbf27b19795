import { PendingRepairsAlarm, type PendingRepairsReading } from './pending-repairs';

const FIRST = '2026-12-01T10:00:00.000Z';
const reading = (count: number, lastFailedAt: string | null = FIRST): PendingRepairsReading => ({
  count,
  oldestFailedAt: count === 0 ? null : FIRST,
  lastFailedAt: count === 0 ? null : lastFailedAt,
});
const at = (iso: string) => Date.parse(iso);

describe('PendingRepairsAlarm', () => {
  it('alerts once for a recorded failure, however many polls see it', () => {
    const alarm = new PendingRepairsAlarm();
    expect(alarm.observe(reading(1), at('2026-12-01T10:00:30.000Z'))).toEqual({
      observer: 'reconciler',
      reason: 'pending-repairs',
      pendingRepairs: 1,
      delayMs: 30_000,
    });
    expect(alarm.observe(reading(1), at('2026-12-01T10:01:00.000Z'))).toBeUndefined();
  });

  it('alerts again when a later run records another failure, not when one is repaired', () => {
    const alarm = new PendingRepairsAlarm();
    alarm.observe(reading(2), at(FIRST));
    expect(alarm.observe(reading(1), at(FIRST))).toBeUndefined();
    expect(alarm.observe(reading(1, '2026-12-01T10:05:00.000Z'), at('2026-12-01T10:05:00.000Z'))).toMatchObject({
      pendingRepairs: 1,
      delayMs: 300_000,
    });
  });

  it('stays quiet while nothing is pending, and alerts for the first failure after the list was emptied', () => {
    const alarm = new PendingRepairsAlarm();
    expect(alarm.observe(reading(0), at(FIRST))).toBeUndefined();
    alarm.observe(reading(1), at(FIRST));
    expect(alarm.observe(reading(0), at(FIRST))).toBeUndefined();
    expect(alarm.observe(reading(1), at(FIRST))).toMatchObject({ pendingRepairs: 1 });
  });
});
