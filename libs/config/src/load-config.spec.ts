import { BaseConfig } from './base.config';
import { ConfigValidationError } from './config.errors';
import { loadConfig } from './load-config';

const validEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/redpacket',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094',
};

describe('loadConfig', () => {
  it('turns strings into typed values and applies defaults', () => {
    const config = loadConfig(BaseConfig, { ...validEnv, HTTP_PORT: '8080' });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9094']);
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.ORDER_TOPIC_PARTITIONS).toBe(6);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('lists every bad variable in one error', () => {
    const attempt = () =>
      loadConfig(BaseConfig, { KAFKA_BROKERS: 'not a broker', HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (error) {
      const names = (error as ConfigValidationError).problems.map((p) => p.split(':')[0]);
      expect(names.sort()).toEqual(['DATABASE_URL', 'HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
    }
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(BaseConfig, { ...validEnv, HTTP_PORT: '' }).HTTP_PORT).toBe(3000);
  });

  it('ignores unrelated variables', () => {
    const config = loadConfig(BaseConfig, { ...validEnv, PATH: '/usr/bin' }) as unknown as Record<string, unknown>;
    expect(config.PATH).toBeUndefined();
  });

  it('takes Kafka credentials in pairs, and never echoes the password', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(BaseConfig, { ...validEnv, ...env });
        return [];
      } catch (error) {
        return (error as ConfigValidationError).problems;
      }
    };
    expect(problems({ KAFKA_SASL_USERNAME: 'order-service', KAFKA_SASL_PASSWORD: 'long-enough-password' })).toEqual([]);
    expect(problems({ KAFKA_SASL_USERNAME: 'order-service' }).map((p) => p.split(':')[0])).toEqual([
      'KAFKA_SASL_PASSWORD',
    ]);
    const short = problems({ KAFKA_SASL_USERNAME: 'order-service', KAFKA_SASL_PASSWORD: 'pw-1' });
    expect(short).toHaveLength(1);
    expect(short.join('\n')).not.toContain('pw-1');
  });
});
