import type { E2eLoads, LoadRun } from './end-to-end.bench';
import { loadRun } from './load-run.fixture';
import { stagesSection } from './report-stages';
import { STAGE_NAMES, type StageBreakdown } from './stage-breakdown';

/** Every stage 1 ms at p50, 2 ms at p99 and `meanMs` on average; the grant's own time only a mean. */
function breakdown(meanMs: number, grantCommitMeanMs: number): StageBreakdown {
  return {
    orders: 1_000,
    stages: STAGE_NAMES.map((stage) =>
      stage === 'grantCommit'
        ? { stage, p50Ms: Number.NaN, p99Ms: Number.NaN, meanMs: grantCommitMeanMs }
        : { stage, p50Ms: 1, p99Ms: 2, meanMs },
    ),
    toGrantStartP50Ms: 5,
    toGrantStartP99Ms: 9,
  };
}

function load(offeredPerSecond: number, stages: StageBreakdown): LoadRun {
  return loadRun(offeredPerSecond, { stages });
}

function loads(highest: number | null, grantCommitMeanMs = 5): E2eLoads {
  const median = [load(500, breakdown(1, grantCommitMeanMs)), load(800, breakdown(3, grantCommitMeanMs))];
  return { runs: [median], median, highestLoadUnderTarget: highest };
}

describe('stagesSection', () => {
  it('breaks down the highest load held, each stage a share of the mean of the whole path', () => {
    const section = stagesSection(loads(800));
    expect(section).toContain('### Where the time goes, batched grants (the default), 800 orders/s');
    // Five per-order stages of 3 ms and the grant's 5 ms: 20 ms in all.
    expect(section).toMatch(/\| request \|[^\n]*\| 1\.00 ms \| 2\.00 ms \| 3\.00 ms \| 15 % \| measured \|/);
    expect(section).toMatch(/\| grant transaction and commit \|[^\n]*\| n\/a \| n\/a \| 5\.00 ms \| 25 % \|/);
    expect(section).toMatch(/\| \*\*client → grant committed\*\* \|[^\n]*\| 20\.0 ms \| 100 % \|/);
  });

  it('says when no load held and shows the lowest instead', () => {
    expect(stagesSection(loads(null))).toContain('no load held p99 under 100 ms, so this is the lowest');
  });

  it('shares out client → grant start alone when the grant time is not known', () => {
    const section = stagesSection(loads(500, Number.NaN));
    expect(section).toMatch(/\| request \|[^\n]*\| 1\.00 ms \| 20 % \|/);
    expect(section).not.toContain('client → grant committed');
  });
});
