import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { REPO_ROOT } from '../../testkit/infra/provision';
import { type BenchContext, closeBenchContext, openBenchContext } from './bench-context';
import { type BenchOptions, type MeasurementName, parseBenchOptions, UsageError } from './bench-options';
import type { BenchResults } from './bench-results';
import { benchEndToEnd } from './end-to-end.bench';
import { benchIdleCpu } from './idle-cpu.bench';
import { benchReconcile } from './reconcile.bench';
import { benchRelay } from './relay.bench';
import { renderReport } from './report';
import { benchRest } from './rest.bench';
import { benchReward } from './reward.bench';
import { benchSigning } from './signing.bench';
import { log } from './stats';
import { machineInfo, versions } from './system-info';

const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
const REPORT_FILE = join(REPO_ROOT, 'docs', 'performance.md');
const CHART_FILE = join(REPO_ROOT, 'bench', 'performance.svg');

/**
 * `npm run bench`: measures the real stack and writes bench/results/<date>.json and the generated
 * docs/performance.md. `--quick` is a smoke test: its outputs stay in bench/results/ (*-quick.*).
 * `--report-only FILE` regenerates the report from a results file without measuring.
 */
async function main(argv: string[]): Promise<void> {
  const reportOnly = argv.indexOf('--report-only');
  if (reportOnly >= 0) {
    const saved = JSON.parse(readFileSync(argv[reportOnly + 1], 'utf8')) as BenchResults;
    return writeReport(saved, saved.options.quick);
  }
  const options = parseBenchOptions(argv);
  const startedAt = new Date();
  const context = await openBenchContext(options);
  const stopOnSignal = () => void closeBenchContext(context).finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  let results: BenchResults;
  try {
    results = await measureAll(context, options, startedAt);
  } finally {
    await closeBenchContext(context);
  }
  await writeReport(results, options.quick);
  if (results.failures.length > 0) {
    log(`failed: ${results.failures.map((failure) => failure.measurement).join(', ')}`);
    process.exitCode = 1;
  }
}

async function measureAll(context: BenchContext, options: BenchOptions, startedAt: Date): Promise<BenchResults> {
  const { argv, ...settings } = options;
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationSeconds: 0,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
    options: settings,
    machine: machineInfo(),
    versions: await versions(context.dataSource, context.infra),
    failures: [],
  };
  const measure = async <K extends MeasurementName>(name: K, work: () => Promise<NonNullable<BenchResults[K]>>) => {
    if (!options.only.includes(name)) return;
    try {
      results[name] = await work();
    } catch (error) {
      // One failed measurement (say, a process lost to a noisy neighbour) should not discard the others.
      log(`${name} failed: ${(error as Error).stack ?? String(error)}`);
      results.failures.push({ measurement: name, error: (error as Error).message.split('\n')[0] });
    }
  };
  await measure('rest', () => benchRest(context, options));
  await measure('relay', () => benchRelay(context, options));
  await measure('reward', () => benchReward(context, options));
  await measure('e2e', () => benchEndToEnd(context, options));
  await measure('idle', () => benchIdleCpu(context, options));
  await measure('reconcile', () => benchReconcile(context, options));
  await measure('signing', () => benchSigning(options));
  const finishedAt = new Date();
  results.finishedAt = finishedAt.toISOString();
  results.durationSeconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1_000);
  return results;
}

async function writeReport(results: BenchResults, quick: boolean): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stem = join(RESULTS_DIR, `${results.startedAt.replace(/:/g, '-')}${quick ? '-quick' : ''}`);
  const reportFile = quick ? `${stem}.md` : REPORT_FILE;
  const chartFile = quick ? `${stem}.svg` : CHART_FILE;
  await writeFormatted(`${stem}.json`, JSON.stringify(results, null, 2));
  const { markdown, svg } = renderReport(results, relative(join(reportFile, '..'), chartFile));
  await writeFormatted(reportFile, markdown);
  writeFileSync(chartFile, svg);
  log(
    `wrote ${relative(REPO_ROOT, `${stem}.json`)}, ${relative(REPO_ROOT, reportFile)}, ${relative(REPO_ROOT, chartFile)}`,
  );
}

/** Written as `npm run lint` (prettier --check) expects them, so a generated file never fails the lint. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const config = await resolveConfig(file);
  writeFileSync(file, await format(text, { ...config, filepath: file }));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof UsageError ? error.message : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
