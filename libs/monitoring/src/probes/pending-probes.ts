/** A probe the monitor wrote: where it landed and when. */
export interface SentProbe {
  partition: number;
  offset: bigint;
  sentAtMs: number;
}

/** A probe that has not reached an observer within the threshold. */
export interface OverdueProbe extends SentProbe {
  observer: string;
  ageMs: number;
}

const MAX_PENDING_PER_OBSERVER = 10_000;

/**
 * The probes each observer has yet to see. An observer sees a probe either by reading it (the
 * monitor's own group: `arrived`) or by committing past its offset (a business group such as the
 * reward service: `committed`). Partitions are ordered, so seeing one probe means every earlier
 * probe of that partition was seen too.
 *
 * A partition alerts once when its oldest probe becomes overdue, and again only after a probe on
 * it was seen: a paused consumer raises one alert per partition, not one per probe.
 */
export class PendingProbes {
  private readonly pending = new Map<string, SentProbe[]>();
  private readonly alerting = new Set<string>();

  constructor(
    readonly observers: readonly string[],
    private readonly thresholdMs: number,
  ) {
    for (const observer of observers) this.pending.set(observer, []);
  }

  sent(probe: SentProbe): void {
    for (const probes of this.pending.values()) {
      probes.push(probe);
      if (probes.length > MAX_PENDING_PER_OBSERVER) probes.shift();
    }
  }

  /** The observer read the probe sent at `sentAtMs` on `partition`; returns the probes it resolves. */
  arrived(observer: string, partition: number, sentAtMs: number): SentProbe[] {
    return this.resolve(observer, partition, (probe) => probe.sentAtMs <= sentAtMs);
  }

  /** The observer's group committed `offset` (the next offset to read) on `partition`. */
  committed(observer: string, partition: number, offset: bigint): SentProbe[] {
    return this.resolve(observer, partition, (probe) => probe.offset < offset);
  }

  /** Probes older than the threshold on partitions not already alerting; marks those partitions. */
  overdue(nowMs: number): OverdueProbe[] {
    const found: OverdueProbe[] = [];
    for (const [observer, probes] of this.pending) {
      for (const probe of probes) {
        const key = `${observer}:${probe.partition}`;
        const ageMs = nowMs - probe.sentAtMs;
        if (ageMs <= this.thresholdMs || this.alerting.has(key)) continue;
        this.alerting.add(key);
        found.push({ ...probe, observer, ageMs });
      }
    }
    return found;
  }

  /** Age of the oldest probe `observer` has not seen yet (0 when it is up to date). */
  oldestAgeMs(observer: string, nowMs: number): number {
    const probes = this.pending.get(observer) ?? [];
    return probes.length === 0 ? 0 : nowMs - Math.min(...probes.map((probe) => probe.sentAtMs));
  }

  private resolve(observer: string, partition: number, seen: (probe: SentProbe) => boolean): SentProbe[] {
    const probes = this.pending.get(observer);
    if (!probes) return [];
    const resolved = probes.filter((probe) => probe.partition === partition && seen(probe));
    if (resolved.length === 0) return [];
    this.pending.set(
      observer,
      probes.filter((probe) => !resolved.includes(probe)),
    );
    this.alerting.delete(`${observer}:${partition}`);
    return resolved;
  }
}
