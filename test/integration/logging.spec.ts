import { Body, Controller, Get, Logger, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BaseConfig, registerSecret } from '@redpacket/config';
import { postgresDataSourceOptions } from '@redpacket/database';
import { createApp } from '@redpacket/platform';
import { DataSource } from 'typeorm';
import { withEnv } from '../../testkit/support/env';

/** A secret long enough to be registered, as a configuration's token would be. */
const SECRET = 'logging-spec-secret-9f1c2b7e44d0a8';
/** One a JSON line can only hold escaped. */
const QUOTED_SECRET = 'logging "spec" \\secret\\ 51e0';

@Controller('logging')
class LoggingController {
  private readonly logger = new Logger(LoggingController.name);

  @Get('line')
  line(): { ok: true } {
    this.logger.warn('a structured line', { orderId: 'order-1', partition: 3, offset: '42' });
    return { ok: true };
  }

  /** A body is parsed before the handler runs: the request's id must survive it, and an await after it. */
  @Post('echo')
  async echo(@Body() body: { text: string }): Promise<{ ok: true }> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.logger.warn('echoed', { text: body.text });
    return { ok: true };
  }
}

@Module({ controllers: [LoggingController] })
class LoggingTestModule {}

describe('logging: pino through nestjs-pino, one format for every app', () => {
  let app: NestFastifyApplication;
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    registerSecret(SECRET);
    registerSecret(QUOTED_SECRET);
    process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(chunk.toString());
      return write(chunk, ...rest);
    };
    ({ app } = await withEnv({ LOG_LEVEL: 'info' }, () =>
      createApp({ name: 'logging-spec', module: () => ({ module: LoggingTestModule }), config: BaseConfig }),
    ));
    await app.init();
  });

  afterAll(async () => {
    process.stdout.write = write;
    await app?.close();
  });

  const inject = (options: {
    method: 'GET' | 'POST';
    url: string;
    headers?: Record<string, string>;
    payload?: object;
  }) => app.getHttpAdapter().getInstance().inject(options);

  /** The JSON records written since `from` with this message. */
  const records = (message: string, from = 0): Record<string, unknown>[] =>
    written
      .slice(from)
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes(`"message":${JSON.stringify(message)}`))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one JSON record per line: level by name, time, pid, context, message, the fields at the top level', async () => {
    const from = written.length;
    const response = await inject({ method: 'GET', url: '/logging/line' });
    expect(response.statusCode).toBe(200);
    const [record] = records('a structured line', from);
    expect(record).toEqual({
      level: 'warn',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      pid: process.pid,
      requestId: response.headers['x-request-id'],
      context: 'LoggingController',
      message: 'a structured line',
      orderId: 'order-1',
      partition: 3,
      offset: '42',
    });
    // The request wrote the handler's line and no other: no line per request.
    const lines = written.slice(from).join('').split('\n');
    expect(lines.filter((line) => line.includes(String(response.headers['x-request-id'])))).toHaveLength(1);
    // Nest's own lines go through the same logger.
    expect(written.join('')).toContain('"context":"NestApplication","message":"Nest application successfully started"');
  });

  it("keeps a caller's x-request-id through the body parser and an await, and answers with it", async () => {
    const from = written.length;
    const response = await inject({
      method: 'POST',
      url: '/logging/echo',
      headers: { 'content-type': 'application/json', 'x-request-id': 'checkout-7f3a:2' },
      payload: { text: 'hello' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['x-request-id']).toBe('checkout-7f3a:2');
    expect(records('echoed', from)).toEqual([expect.objectContaining({ requestId: 'checkout-7f3a:2', text: 'hello' })]);
  });

  it.each([
    ['markup', '<script>alert(1)</script>'],
    ['a line break', 'a\nb'],
    ['129 characters', 'x'.repeat(129)],
  ])('replaces an x-request-id holding %s with a new UUID', async (_what, given) => {
    const from = written.length;
    const response = await inject({ method: 'GET', url: '/logging/line', headers: { 'x-request-id': given } });
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(records('a structured line', from)).toEqual([expect.objectContaining({ requestId: id })]);
    expect(written.slice(from).join('')).not.toContain(given);
  });

  it('gives every request its own id', async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(async () => (await inject({ method: 'GET', url: '/logging/line' })).headers['x-request-id']),
    );
    expect(new Set(ids).size).toBe(3);
  });

  it('takes every registered secret and every password in a URL out of the line before it is written', async () => {
    const from = written.length;
    const response = await inject({
      method: 'POST',
      url: '/logging/echo',
      headers: { 'content-type': 'application/json' },
      payload: { text: `token ${SECRET} at postgres://app:hunter2-long-password@db:5432/app` },
    });
    expect(response.statusCode).toBe(201);
    const out = written.slice(from).join('');
    expect(out).toContain('"message":"echoed"');
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain('hunter2-long-password');
    expect(records('echoed', from)).toEqual([
      expect.objectContaining({ text: 'token [redacted] at postgres://app:***@db:5432/app' }),
    ]);
  });

  it('takes out a secret holding a quote and a backslash, which the line holds escaped', async () => {
    const from = written.length;
    const response = await inject({
      method: 'POST',
      url: '/logging/echo',
      headers: { 'content-type': 'application/json' },
      payload: { text: `token ${QUOTED_SECRET} end` },
    });
    expect(response.statusCode).toBe(201);
    const out = written.slice(from).join('');
    expect(out).not.toContain(JSON.stringify(QUOTED_SECRET).slice(1, -1));
    expect(records('echoed', from)).toEqual([expect.objectContaining({ text: 'token [redacted] end' })]);
  });

  it("writes TypeORM's lines through the same logger, a failed query without its parameters", async () => {
    const parameter = 'customer-value-7c1e9a0b';
    const dataSource = await new DataSource(
      postgresDataSourceOptions({ url: process.env.DATABASE_URL ?? '', poolSize: 1 }),
    ).initialize();
    const from = written.length;
    try {
      await expect(dataSource.query('SELECT $1::text FROM no_such_table', [parameter])).rejects.toThrow(
        /does not exist/,
      );
    } finally {
      await dataSource.destroy();
    }
    expect(records('query failed', from)).toEqual([
      expect.objectContaining({
        level: 'warn',
        context: 'TypeORM',
        statement: 'SELECT $1::text FROM no_such_table',
        error: 'relation "no_such_table" does not exist',
      }),
    ]);
    expect(written.slice(from).join('')).not.toContain(parameter);
  });
});
