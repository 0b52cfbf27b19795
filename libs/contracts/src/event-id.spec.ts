import { eventIdTimestamp, newEventId } from './event-id';

describe('newEventId', () => {
  it('is a version 7, RFC variant UUID', () => {
    expect(newEventId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries its creation time', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    expect(eventIdTimestamp(newEventId(now + 10_000))).toBe(now + 10_000);
  });

  it('sorts in creation order even within one millisecond', () => {
    const ids = Array.from({ length: 5_000 }, () => newEventId(Date.UTC(2030, 0, 1)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
