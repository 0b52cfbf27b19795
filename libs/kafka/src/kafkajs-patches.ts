import RequestQueue from 'kafkajs/src/network/requestQueue';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
}

let patched = false;

/**
 * kafkajs 2.2.4 re-arms a timer on every connection even when nothing is pending and nothing is
 * throttled (kafkajs #1556, #1704): `throttledUntil - Date.now()` is negative, so the timer fires
 * at once, checks an empty queue and re-arms itself, about a thousand times a second per broker
 * connection. Idle apps burn CPU on it, and Node 24 prints a TimeoutNegativeWarning for it
 * (kafkajs #1751). The patch returns early in exactly that case; a request pushed later
 * schedules its own check, as before.
 */
export function patchKafkajs(): void {
  if (patched) return;
  patched = true;
  const prototype = (RequestQueue as unknown as { prototype: RequestQueueInternals }).prototype;
  const { scheduleCheckPendingRequests: schedule } = prototype;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    const throttled = this.throttledUntil > Date.now();
    if (this.pending.length === 0 && !throttled) return;
    schedule.call(this);
  };
}
