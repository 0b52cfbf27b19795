import { dropDatabase } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis.redpacketTestRun;
  if (!run) return;
  globalThis.redpacketTestRun = undefined;
  if (process.env.KEEP_TEST_DATABASE !== '1') await dropDatabase(run.serverUrl, run.database);
  await run.infra.stop();
}
