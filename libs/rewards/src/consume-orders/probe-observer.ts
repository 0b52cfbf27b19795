/** Told about every probe message the consumer drops from business logic (the monitor measures delay). */
export interface ProbeObserver {
  observe(partition: number, sentAtMs: number, arrivedAtMs: number): void;
}

export const PROBE_OBSERVER = Symbol('PROBE_OBSERVER');

export const ignoreProbes: ProbeObserver = { observe: () => undefined };
