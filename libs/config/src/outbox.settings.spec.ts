import { ConfigValidationError } from './config.errors';
import { loadConfig } from './load-config';
import { BaseConfig } from './base.config';
import { WithOutbox } from './outbox.settings';

class OutboxConfig extends WithOutbox(BaseConfig) {}

const validEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/redpacket',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(OutboxConfig, { ...validEnv, ...env });
    return [];
  } catch (error) {
    return (error as ConfigValidationError).problems;
  }
}

describe('WithOutbox', () => {
  it('pipelines three relay batches, each claim growing from 200 to at most 1,600 rows', () => {
    const config = loadConfig(OutboxConfig, validEnv);
    expect(config.OUTBOX_PIPELINE_DEPTH).toBe(3);
    expect(config.OUTBOX_BATCH_SIZE).toBe(200);
    expect(config.OUTBOX_MAX_BATCH_SIZE).toBe(1_600);
  });

  it('refuses a pipeline depth outside 1-16', () => {
    for (const depth of ['0', '17', 'three']) {
      expect(problems({ OUTBOX_PIPELINE_DEPTH: depth }).map((p) => p.split(':')[0])).toEqual(['OUTBOX_PIPELINE_DEPTH']);
    }
  });

  it('refuses a pipeline that would hold every pooled connection', () => {
    expect(problems({ OUTBOX_PIPELINE_DEPTH: '4', DATABASE_POOL_SIZE: '5' })).toEqual([]);
    const [problem] = problems({ OUTBOX_PIPELINE_DEPTH: '5', DATABASE_POOL_SIZE: '5' });
    expect(problem).toMatch(/^OUTBOX_PIPELINE_DEPTH: .*lower than DATABASE_POOL_SIZE \(5\)/);
  });
});
