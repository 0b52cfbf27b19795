import { appEnvironment, planApps, runningSummary, SAMPLE_ORDER } from './system-plan';

const shared = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  HTTP_HOST: '127.0.0.1',
  KAFKA_BROKERS: '127.0.0.1:19092',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/redpacket',
};

describe('planApps', () => {
  it('puts the four apps on consecutive ports from the base port', () => {
    expect(planApps(4000, '127.0.0.1').map((app) => `${app.name} ${app.url} ${app.entryPoint}`)).toEqual([
      'order-service http://127.0.0.1:4000 apps/order-service/src/main.ts',
      'reward-service http://127.0.0.1:4001 apps/reward-service/src/main.ts',
      'reconciler http://127.0.0.1:4002 apps/reconciler/src/main.ts',
      'monitor http://127.0.0.1:4003 apps/monitor/src/main.ts',
    ]);
  });

  it('reaches a wildcard listener through loopback', () => {
    expect(planApps(3000, '0.0.0.0')[0].url).toBe('http://127.0.0.1:3000');
  });
});

describe('appEnvironment', () => {
  it('gives each app its own port and the admin token, and only the order service the customer-token secret', () => {
    const [orders, , reconciler] = planApps(3000, '127.0.0.1');
    const secrets = { ADMIN_TOKEN: 'a'.repeat(32), AUTH_JWT_SECRET: 's'.repeat(32) };
    expect(appEnvironment(orders, { ...shared, ...secrets })).toEqual({ ...shared, ...secrets, HTTP_PORT: '3000' });
    expect(appEnvironment(reconciler, { ...shared, ...secrets })).toEqual({
      ...shared,
      ADMIN_TOKEN: secrets.ADMIN_TOKEN,
      HTTP_PORT: '3002',
    });
  });

  it('gives each app its own Kafka principal, and the monitor the order service that writes its probes', () => {
    const [orders, , , monitor] = planApps(3000, '127.0.0.1');
    const kafkaUsers = (app: string) => ({ KAFKA_SASL_USERNAME: app, KAFKA_SASL_PASSWORD: `${app}-password` });
    const env = { ...shared, ORDER_SERVICE_URL: orders.url, kafkaUsers };
    expect(appEnvironment(orders, env)).toEqual({
      ...shared,
      HTTP_PORT: '3000',
      KAFKA_SASL_USERNAME: 'order-service',
      KAFKA_SASL_PASSWORD: 'order-service-password',
    });
    expect(appEnvironment(monitor, env)).toMatchObject({
      KAFKA_SASL_USERNAME: 'monitor',
      ORDER_SERVICE_URL: 'http://127.0.0.1:3000',
    });
  });
});

describe('appEnvironment: event keys', () => {
  it('gives the order service the signing key and the reward service only its public half', () => {
    const [orders, rewards, reconciler, monitor] = planApps(3000, '127.0.0.1');
    const eventKeys = { privateKey: 'private-der', publicKeys: 'run:public-der', keyId: 'run' };
    expect(appEnvironment(orders, { ...shared, eventKeys })).toMatchObject({
      EVENT_SIGNING_KEY: 'private-der',
      EVENT_SIGNING_KEY_ID: 'run',
    });
    expect(appEnvironment(rewards, { ...shared, eventKeys })).toEqual({
      ...shared,
      HTTP_PORT: '3001',
      EVENT_VERIFY_KEYS: 'run:public-der',
    });
    for (const app of [reconciler, monitor]) {
      expect(Object.keys(appEnvironment(app, { ...shared, eventKeys })).filter((k) => k.startsWith('EVENT_'))).toEqual(
        [],
      );
    }
  });
});

describe('runningSummary', () => {
  it('prints a curl that places the sample order under the given key', () => {
    const lines = runningSummary(planApps(4000, '127.0.0.1'), 'system-key-1', 'customer.jwt.token');
    expect(lines).toContain('  OpenAPI          http://127.0.0.1:4000/docs');
    expect(lines).toContain('  monitor page     http://127.0.0.1:4003/');
    expect(lines).toContain('  order timeline   http://127.0.0.1:4003/order (with the admin token)');
    expect(lines.filter((line) => line.endsWith('/metrics'))).toHaveLength(4);
    const curl = lines.find((line) => line.includes('curl -s -X POST')) ?? '';
    expect(curl).toContain("-H 'Idempotency-Key: system-key-1'");
    expect(curl).toContain(`-d '${JSON.stringify(SAMPLE_ORDER)}'`);
    expect(curl).toContain('-H "authorization: Bearer $TOKEN"');
    expect(lines).toContain('  TOKEN=customer.jwt.token');
    expect(lines.join('\n')).not.toContain('admin APIs');
  });

  it('gives the monitor page the admin token in the fragment, which no server sees', () => {
    const lines = runningSummary(planApps(4000, '127.0.0.1'), 'k', 'customer.jwt.token', 'a'.repeat(32));
    expect(lines).toContain(`  monitor page     http://127.0.0.1:4003/#token=${'a'.repeat(32)}`);
  });
});
