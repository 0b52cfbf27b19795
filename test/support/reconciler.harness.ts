import { createValidationPipe } from '@redpacket/platform';
import { ReissueMissingService, RetentionService } from '@redpacket/reconciliation';
import { DataSource } from 'typeorm';
import { ReconcilerConfig } from '../../apps/reconciler/src/reconciler.config';
import { ReconcilerModule } from '../../apps/reconciler/src/reconciler.module';
import { bootInProcess, type InProcessApp, type InjectedResponse } from './in-process-app';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface ReconcilerUnderTest extends Omit<InProcessApp, 'request'> {
  dataSource: DataSource;
  reconciliations: ReissueMissingService;
  retention: RetentionService;
  request(options: {
    method: 'GET' | 'POST';
    url: string;
    payload?: unknown;
    token?: string;
  }): Promise<InjectedResponse>;
}

/** Boots the reconciler app in this process: no schedule (tests trigger runs), no grace period. */
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
    { RECONCILER_SCHEDULE_ENABLED: 'false', RECONCILER_GRACE_SECONDS: '0', ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env },
  );
  return {
    ...booted,
    dataSource: booted.app.get(DataSource),
    reconciliations: booted.app.get(ReissueMissingService),
    retention: booted.app.get(RetentionService),
    request: ({ token, ...request }) =>
      booted.request({ ...request, headers: token ? { authorization: `Bearer ${token}` } : {} }),
  };
}
