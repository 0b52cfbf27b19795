import type { LoadRun } from './end-to-end.bench';

/** A load the report specs build on: 1,000 orders all granted, small fixed latencies, plus `extra`. */
export function loadRun(offeredPerSecond: number, extra: Partial<LoadRun> = {}): LoadRun {
  return {
    offeredPerSecond,
    achievedPerSecond: offeredPerSecond,
    failed: 0,
    behindScheduleMs: 0,
    orders: 1_000,
    packets: 1_000,
    p50Ms: 5,
    p95Ms: 8,
    p99Ms: 9,
    toRelayP50Ms: 3,
    toRelayP99Ms: 6,
    relayToGrantP50Ms: 2,
    relayToGrantP99Ms: 3,
    ...extra,
  };
}
