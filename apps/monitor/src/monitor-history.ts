/** One reading of the system, taken every poll: what the live page charts. */
export interface MonitorSample {
  at: number;
  /** Lag per partition of each consumer group's topic, e.g. `{ 'reward-service': { '0': 3 } }`. */
  lag: Record<string, Record<string, number>>;
  /** Per observer, the age of the oldest unseen probe or the latest delay seen, in ms. */
  probeDelayMs: Record<string, number>;
}

/** The samples of the last `windowMs`, oldest first. */
export class MonitorHistory {
  private samples: MonitorSample[] = [];

  constructor(private readonly windowMs: number) {}

  add(sample: MonitorSample): void {
    this.samples.push(sample);
    const cutoff = sample.at - this.windowMs;
    const firstKept = this.samples.findIndex((s) => s.at >= cutoff);
    if (firstKept > 0) this.samples = this.samples.slice(firstKept);
  }

  all(): readonly MonitorSample[] {
    return this.samples;
  }
}
