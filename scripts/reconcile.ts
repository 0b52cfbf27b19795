import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError, loadConfig } from '@redpacket/config';
import { createJsonLogger, startTracing } from '@redpacket/observability';
import { ReissueMissingService } from '@redpacket/reconciliation';
import { ReconcilerConfig } from '../apps/reconciler/src/reconciler.config';
import { ReconcilerModule } from '../apps/reconciler/src/reconciler.module';

const USAGE = 'usage: npm run reconcile -- [--full | --since ISO] [--until ISO] [--dry-run] [--resume RUN_ID]';

/**
 * One reconciliation from the command line (incremental unless --full or --since); prints the run's report as
 * JSON and exits.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      full: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      resume: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  const since = parseDate('--since', values.since);
  const until = parseDate('--until', values.until);
  // The CLI runs once: no schedule, no HTTP.
  const config = loadConfig(ReconcilerConfig, { ...process.env, RECONCILER_SCHEDULE_ENABLED: 'false' });
  const tracing = startTracing({
    serviceName: 'reconciler',
    exporter: config.TRACING_EXPORTER,
    file: config.TRACING_FILE,
    otlpUrl: config.TRACING_OTLP_URL,
  });
  const app = await NestFactory.createApplicationContext(ReconcilerModule.register(config), {
    logger: createJsonLogger(config.LOG_LEVEL),
  });
  try {
    const report = await app.get(ReissueMissingService).run({
      trigger: 'cli',
      scan: values.full ? 'full' : 'incremental',
      since,
      until,
      dryRun: values['dry-run'],
      resumeRunId: values.resume,
    });
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await app.close();
    await tracing.shutdown();
  }
}

function parseDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${flag} must be an ISO 8601 date-time, got ${value}\n${USAGE}`);
  return date;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigValidationError ? error.message : ((error as Error).message ?? error));
  process.exit(1);
});
