import { ConfigValidationError, loadConfig } from '@redpacket/config';
import { MonitorConfig } from './monitor.config';

const validEnv = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/redpacket', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('MonitorConfig', () => {
  it('defaults to a probe every 5 s and an alert past 5 s, with no webhook', () => {
    const config = loadConfig(MonitorConfig, validEnv);
    expect(config).toMatchObject({ PROBE_INTERVAL_MS: 5_000, PROBE_ALERT_THRESHOLD_MS: 5_000, PROBES_ENABLED: true });
    expect(config.PROBE_ALERT_WEBHOOK_URL).toBeUndefined();
  });

  it('calls a partition stalled after 60 s without a commit by default, and refuses a bound under 1 s', () => {
    expect(loadConfig(MonitorConfig, validEnv).MONITOR_STALL_AFTER_MS).toBe(60_000);
    expect(loadConfig(MonitorConfig, { ...validEnv, MONITOR_STALL_AFTER_MS: '1000' }).MONITOR_STALL_AFTER_MS).toBe(
      1_000,
    );
    expect(() => loadConfig(MonitorConfig, { ...validEnv, MONITOR_STALL_AFTER_MS: '999' })).toThrow(
      /MONITOR_STALL_AFTER_MS/,
    );
  });

  it('lists every bad monitor and probe variable in one error, the inherited ones included', () => {
    const env = {
      ...validEnv,
      PROBE_INTERVAL_MS: '5',
      PROBE_ALERT_THRESHOLD_MS: 'soon',
      PROBE_ALERT_WEBHOOK_URL: 'not a url',
      MONITOR_POLL_INTERVAL_MS: '-1',
      MONITOR_STALL_AFTER_MS: 'soon',
    };
    let problems: string[] = [];
    try {
      loadConfig(MonitorConfig, env);
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      problems = error.problems.map((p) => p.split(':')[0]);
    }
    expect(problems.sort()).toEqual([
      'MONITOR_POLL_INTERVAL_MS',
      'MONITOR_STALL_AFTER_MS',
      'PROBE_ALERT_THRESHOLD_MS',
      'PROBE_ALERT_WEBHOOK_URL',
      'PROBE_INTERVAL_MS',
    ]);
  });
});
