import { createValidationPipe } from '@redpacket/platform';
import { ReissueMissingService, RetentionService } from '@redpacket/reconciliation';
import { DataSource } from 'typeorm';
import { ReconcilerConfig } from '../../apps/reconciler/src/reconciler.config';
import { ReconcilerModule } from '../../apps/reconciler/src/reconciler.module';
import { bootInProcess, type InProcessApp, type InjectedResponse } from './in-process-app';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The reconciler's own login role, created by the migrations: what every reconciler in the tests connects as. */
export const RECONCILER_ROLE = 'redpacket_reconciler';

/** The test database, reached as the reconciler's role (trust authentication, as on the local server). */
export function reconcilerDatabaseUrl(databaseUrl = process.env.DATABASE_URL ?? ''): string {
  const url = new URL(databaseUrl);
  url.username = RECONCILER_ROLE;
  url.password = '';
  return url.toString();
}

export interface ReconcilerUnderTest extends Omit<InProcessApp, 'request'> {
  /** Connected as the reconciler's role, as the app is. */
  dataSource: DataSource;
  /** Connected as the schema's owner, for fixtures the reconciler may not write. */
  owner: DataSource;
  reconciliations: ReissueMissingService;
  retention: RetentionService;
  request(options: {
    method: 'GET' | 'POST';
    url: string;
    payload?: unknown;
    token?: string;
  }): Promise<InjectedResponse>;
}

/**
 * Boots the reconciler app in this process, connected as its own role: no schedule (tests trigger runs), no
 * grace period. Its `dataSource` can read what the reconciler reads; fixtures are written as the owner.
 */
export async function startReconciler(env: Record<string, string>): Promise<ReconcilerUnderTest> {
  const booted = await bootInProcess(
    {
      name: 'reconciler',
      config: ReconcilerConfig,
      module: (config) => ReconcilerModule.register(config),
      configure: (app) => {
        app.useGlobalPipes(createValidationPipe());
      },
    },
    {
      DATABASE_URL: reconcilerDatabaseUrl(),
      RECONCILER_SCHEDULE_ENABLED: 'false',
      RECONCILER_GRACE_SECONDS: '0',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...env,
    },
  );
  const owner = await new DataSource({
    type: 'postgres',
    url: process.env.DATABASE_URL,
    extra: { max: 2 },
  }).initialize();
  return {
    ...booted,
    close: async () => {
      await owner.destroy();
      await booted.close();
    },
    owner,
    dataSource: booted.app.get(DataSource),
    reconciliations: booted.app.get(ReissueMissingService),
    retention: booted.app.get(RetentionService),
    request: ({ token, ...request }) =>
      booted.request({ ...request, headers: token ? { authorization: `Bearer ${token}` } : {} }),
  };
}
