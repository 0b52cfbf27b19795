import type { BenchResults } from './bench-results';
import type { E2eLoads, LoadRun } from './end-to-end.bench';
import { loadRun } from './load-run.fixture';
import { capacitySection } from './report-capacity';

function load(offeredPerSecond: number, withCosts: boolean): LoadRun {
  if (!withCosts) return loadRun(offeredPerSecond);
  return loadRun(offeredPerSecond, {
    cpuPerOrder: [
      { part: 'order-service', msPerOrder: 1.2, shareOfMachine: 0.1 },
      { part: 'reward-service', msPerOrder: 0.6, shareOfMachine: 0.1 },
      { part: 'postgres', msPerOrder: 1.8, shareOfMachine: 0.2 },
    ],
    database: { writeTransactionsPerOrder: 3, walBytesPerOrder: 2_097.152 },
  });
}

function results(batched: E2eLoads | undefined): BenchResults {
  return { e2e: batched && { seconds: 20, ...batched, batched }, failures: [] } as unknown as BenchResults;
}

describe('capacitySection', () => {
  it('scales the costs of the highest load held to 1k, 10k and 100k orders/s', () => {
    const median = [load(50, true), load(200, true)];
    const section = capacitySection(results({ runs: [median], median, highestLoadUnderTarget: 200 }));
    expect(section).toContain(
      'at 200 orders/s (batched grants): 3.60 ms of CPU across every process, 3.00 write transactions',
    );
    // 10k/s: 36 cores of work at 60 % → 60; order service 12 cores → 20 instances; reward 6 → 10; Postgres 18 cores.
    expect(section).toMatch(/\| 10,000\/s \| 60 +\| 20 +\| 10 +\| 10 +\| 18\.0 +\| 30,000 +\| 20\.0 MiB\/s \|/);
  });

  it('is empty when the run measured no CPU per order', () => {
    const median = [load(50, false)];
    expect(capacitySection(results({ runs: [median], median, highestLoadUnderTarget: 50 }))).toBe('');
    expect(capacitySection(results(undefined))).toBe('');
  });
});
