import { ConfigValidationError, loadConfig } from '@redpacket/config';
import { grantsInBatches, RewardServiceConfig } from './reward-service.config';

const validEnv = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/redpacket', KAFKA_BROKERS: '127.0.0.1:9092' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(RewardServiceConfig, { ...validEnv, ...env });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return error.problems;
  }
}

describe('RewardServiceConfig', () => {
  it('grants in chunks of 100 by default under inbox-tx, per message when told or under another strategy', () => {
    const config = (env: Record<string, string>) => loadConfig(RewardServiceConfig, { ...validEnv, ...env });
    expect(config({})).toMatchObject({ REWARD_BATCH_SIZE: 100 });
    expect(grantsInBatches(config({}))).toBe(true);
    expect(grantsInBatches(config({ REWARD_BATCH_GRANTS: 'false' }))).toBe(false);
    expect(grantsInBatches(config({ REWARD_STRATEGY: 'none' }))).toBe(false);
    expect(problemsOf({ REWARD_BATCH_GRANTS: 'true' })).toEqual([]);
  });

  it.each(['none', 'version-in-message', 'inbox-no-tx'])('refuses batched grants with the %s strategy', (strategy) => {
    const problems = problemsOf({ REWARD_BATCH_GRANTS: 'true', REWARD_STRATEGY: strategy });
    expect(problems).toEqual([expect.stringMatching(/^REWARD_BATCH_GRANTS: .*needs REWARD_STRATEGY=inbox-tx/)]);
  });

  it('accepts any strategy while batching is off, and refuses a batch size out of range', () => {
    expect(problemsOf({ REWARD_STRATEGY: 'none' })).toEqual([]);
    expect(problemsOf({ REWARD_BATCH_SIZE: '0' }).map((p) => p.split(':')[0])).toEqual(['REWARD_BATCH_SIZE']);
  });

  it('retries a failing partition for ever, reporting it stuck after a minute, and refuses bounds out of range', () => {
    expect(loadConfig(RewardServiceConfig, validEnv)).toMatchObject({
      REWARD_STUCK_AFTER_MS: 60_000,
      REWARD_MAX_RETRY_DELAY_MS: 5_000,
    });
    expect(
      problemsOf({ REWARD_STUCK_AFTER_MS: '10', REWARD_MAX_RETRY_DELAY_MS: '0' }).map((p) => p.split(':')[0]),
    ).toEqual(['REWARD_STUCK_AFTER_MS', 'REWARD_MAX_RETRY_DELAY_MS']);
  });
});
