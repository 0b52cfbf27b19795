import { eventIdTimestamp, newEventId } from './event-id';

describe('newEventId', () => {
  it('is a version 7, RFC variant UUID', () => {
    expect(newEventId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries its creation time', () => {
    const later = Date.now() + 10_000;
    expect(eventIdTimestamp(newEventId(later))).toBe(later);
  });

  it('never goes backwards when the clock does', () => {
    const first = newEventId(Date.now() + 20_000);
    const second = newEventId(Date.now());
    expect(second > first).toBe(true);
  });

  it('sorts in creation order even within one millisecond', () => {
    const ids = Array.from({ length: 5_000 }, () => newEventId(Date.now() + 30_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
