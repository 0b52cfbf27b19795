/** The middle value (mean of the two middle ones for an even count); NaN for no values. */
export function median(values: number[]): number {
  const finite = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
}

/** Nearest-rank percentile of already sorted values (p in 0..100). */
export function percentileOfSorted(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Median of one number picked from every run's sample. */
export function medianOf<T>(samples: T[], pick: (sample: T) => number): number {
  return median(samples.map(pick));
}

/** Runs `work` once per run, one after the other (the box is small: never two measurements at once). */
export async function repeat<T>(runs: number, label: string, work: (run: number) => Promise<T>): Promise<T[]> {
  const samples: T[] = [];
  for (let run = 1; run <= runs; run++) {
    log(`${label}: run ${run}/${runs}`);
    samples.push(await work(run));
  }
  return samples;
}

export function ratio(value: number, baseline: number): number {
  return baseline > 0 ? value / baseline : Number.NaN;
}

export function perSecond(count: number, milliseconds: number): number {
  return milliseconds > 0 ? (count * 1_000) / milliseconds : Number.NaN;
}

export function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
