import { readFileSync } from 'node:fs';
import { CONFIG_REFERENCE_FILE, renderConfigReference, settings } from './config-reference';

describe('docs/configuration.md', () => {
  it('is what the configuration classes say today (npm run docs:config writes it)', () => {
    expect(readFileSync(CONFIG_REFERENCE_FILE, 'utf8')).toBe(renderConfigReference());
  });

  it('describes every setting: each has its JSDoc', () => {
    expect(
      settings()
        .filter((setting) => setting.meaning === '')
        .map((setting) => setting.name),
    ).toEqual([]);
  });

  it('names the apps that read a setting and what production refuses', () => {
    const byName = new Map(settings().map((setting) => [setting.name, setting]));
    expect(byName.get('RECONCILER_SCHEDULE_ENABLED')).toMatchObject({ apps: ['reconciler'], type: 'boolean' });
    expect(byName.get('REWARD_STRATEGY')?.production).toMatch(/^refused when REWARD_STRATEGY other than inbox-tx/);
    expect(byName.get('ADMIN_TOKEN')?.production).toMatch(/a secret: refused when published or weak$/);
    expect(byName.get('DATABASE_POOL_SIZE')?.defaults.get('reward-service')).toBe(20);
    expect(byName.get('DATABASE_POOL_SIZE')?.defaults.get('order-service')).toBe(10);
  });
});
