import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpanRecord } from '@redpacket/observability';
import { pollUntil } from '../../testkit/infra/process-utils';
import { asCustomer } from '../../testkit/support/customer';
import { logRecords } from '../../testkit/system/monitor-client';
import { type GrantMode, SystemUnderTest } from '../../testkit/system/system';

jest.setTimeout(180_000);

/** Every span of one trace, from the order's transaction (which names the order) to the granted event's ack. */
const THE_WAY_OF_AN_ORDER = [
  'POST /orders',
  'order transaction',
  'publish {orders}',
  'kafka ack',
  'consume {orders}',
  'grant transaction',
  'publish {granted}',
  'kafka ack',
];

function readSpans(...files: string[]): SpanRecord[] {
  return files
    .filter((file) => existsSync(file))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SpanRecord);
}

describe.each<GrantMode>(['batched', 'per-message'])('one trace per order, %s grants', (grants) => {
  let system: SystemUnderTest;
  let directory: string;
  const file = (app: string) => join(directory, `${app}.spans.jsonl`);

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'redpacket-spans-'));
    system = new SystemUnderTest('inbox-tx', { grants });
    await system.start();
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('follows the order from the HTTP request through the outbox and Kafka to the granted event, parent by parent', async () => {
    const tracing = (app: string) => ({ TRACING_EXPORTER: 'file', TRACING_FILE: file(app) });
    const orders = await system.startApp('order-service', tracing('order-service'));
    const rewards = await system.startApp('reward-service', { ...tracing('reward-service'), LOG_LEVEL: 'debug' });
    const [placed] = await system.placeOrders(orders, [
      { userId: `${system.userPrefix}-traced`, sku: 'MUG', quantity: 3 },
    ]);

    const topics = { '{orders}': system.topic, '{granted}': system.grantedTopic };
    const expected = THE_WAY_OF_AN_ORDER.map((name) =>
      name.replace(/\{\w+\}/, (slot) => topics[slot as keyof typeof topics]),
    );
    const trace = await pollUntil(
      'the order’s whole trace in the exporters’ files',
      async () => {
        const spans = readSpans(file('order-service'), file('reward-service'));
        const start = spans.find((s) => s.name === 'order transaction' && s.attributes['order.id'] === placed.orderId);
        const ofTrace = start ? spans.filter((s) => s.traceId === start.traceId) : [];
        return Promise.resolve(ofTrace.length >= expected.length ? ofTrace : undefined);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    // One chain, each span the child of the one before, except each ack, the child of its publish.
    const chain = orderedByParent(trace);
    expect(chain.map((span) => span.name)).toEqual(expected);
    expect(chain[0].parentSpanId).toBeUndefined();
    chain.forEach((span, i) => {
      if (i === 0) return;
      const parent = span.name === 'kafka ack' ? chain[i - 1] : chain[i - (chain[i - 1].name === 'kafka ack' ? 2 : 1)];
      expect({ span: span.name, parent: span.parentSpanId }).toEqual({ span: span.name, parent: parent.spanId });
      expect(span.startMs).toBeGreaterThanOrEqual(parent.startMs);
    });
    expect(chain.map((span) => span.service)).toEqual([
      'order-service',
      'order-service',
      'order-service',
      'order-service',
      'reward-service',
      'reward-service',
      'reward-service',
      'reward-service',
    ]);
    const consume = chain[4];
    expect(consume.attributes).toMatchObject({ 'messaging.destination.name': system.topic });
    expect(typeof consume.attributes['messaging.kafka.offset']).toBe('number');
    expect(chain[5].attributes['grant.outcome']).toBe('granted');
    // The reward service's log line for the event names the trace.
    const logged = logRecords(rewards, 'order event processed').filter((line) => line.orderId === placed.orderId);
    expect(logged.map((line) => line.traceId)).toEqual([consume.traceId]);
  });
});

describe("a caller's traceparent", () => {
  let system: SystemUnderTest;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'redpacket-spans-'));
    system = new SystemUnderTest('inbox-tx');
    await system.start();
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("is a link of the order's own trace, never its parent, and cannot switch its recording off", async () => {
    const file = join(directory, 'order-service.spans.jsonl');
    const orders = await system.startApp('order-service', { TRACING_EXPORTER: 'file', TRACING_FILE: file });
    const callerTrace = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const response = await fetch(`${orders.url}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        // Flags 00: the caller asks for the order not to be recorded.
        traceparent: `00-${callerTrace}-${callerSpan}-00`,
        ...(await asCustomer(`${system.userPrefix}-caller`)),
      },
      body: JSON.stringify({ items: [{ sku: 'MUG', quantity: 3 }] }),
    });
    expect(response.status).toBe(201);
    const { orderId } = (await response.json()) as { orderId: string };

    const [request, transaction] = await pollUntil(
      'the order’s spans in the exporter’s file',
      async () => {
        const spans = readSpans(file);
        const tx = spans.find((s) => s.name === 'order transaction' && s.attributes['order.id'] === orderId);
        const root = tx && spans.find((s) => s.spanId === tx.parentSpanId);
        return Promise.resolve(root && tx ? [root, tx] : undefined);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(request).toMatchObject({ name: 'POST /orders', links: [{ traceId: callerTrace, spanId: callerSpan }] });
    expect(request.parentSpanId).toBeUndefined();
    expect(request.traceId).not.toBe(callerTrace);
    expect(transaction.traceId).toBe(request.traceId);
  });
});

describe('a reissue by the reconciler', () => {
  let system: SystemUnderTest;
  let directory: string;
  const file = (app: string) => join(directory, `${app}.spans.jsonl`);
  const tracing = (app: string) => ({ TRACING_EXPORTER: 'file', TRACING_FILE: file(app) });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'redpacket-spans-'));
    system = new SystemUnderTest('inbox-tx');
    await system.start();
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('is a trace of its own, linked to the trace the order was placed in, and its granted event continues it', async () => {
    // The relay is off and the outbox row deleted: the order's event is lost, as in the matrix's repair scenario.
    const orders = await system.startApp('order-service', {
      ...tracing('order-service'),
      OUTBOX_RELAY_ENABLED: 'false',
    });
    const since = new Date(Date.now() - 1_000);
    const [placed] = await system.placeOrders(orders, [
      { userId: `${system.userPrefix}-lost`, sku: 'MUG', quantity: 3 },
    ]);
    await system.dataSource.query(`DELETE FROM ordering.outbox WHERE payload->>'orderId' = $1`, [placed.orderId]);

    const cli = await system.reconcile(tracing('reconciler'), since);
    const exit = await cli.exited;
    expect({ code: exit.code, output: exit.code === 0 ? '' : cli.output() }).toEqual({ code: 0, output: '' });
    await system.startApp('reward-service', tracing('reward-service'));

    const spans = await pollUntil(
      'the reissue’s granted event to be published',
      async () => {
        const all = readSpans(file('order-service'), file('reconciler'), file('reward-service'));
        const reissue = all.find((s) => s.name === 'reconcile reissue' && s.attributes['order.id'] === placed.orderId);
        const publish = reissue && all.find((s) => s.parentSpanId === reissue.spanId);
        return Promise.resolve(publish ? { all, reissue, publish } : undefined);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const placedIn = spans.all.find(
      (s) => s.name === 'order transaction' && s.attributes['order.id'] === placed.orderId,
    );
    expect(placedIn).toBeDefined();
    expect(spans.reissue.parentSpanId).toBeUndefined();
    expect(spans.reissue.traceId).not.toBe(placedIn?.traceId);
    expect(spans.reissue.links).toEqual([{ traceId: placedIn?.traceId, spanId: placedIn?.spanId }]);
    expect(spans.reissue.attributes['grant.outcome']).toBe('granted');
    expect(spans.publish).toMatchObject({
      name: `publish ${system.grantedTopic}`,
      traceId: spans.reissue.traceId,
      service: 'reward-service',
    });
  });
});

/** The spans of a trace, root first, each followed by its children (the ack before the next hop). */
function orderedByParent(spans: SpanRecord[]): SpanRecord[] {
  const children = (id: string | undefined) =>
    spans
      .filter((span) => span.parentSpanId === id)
      .sort((a, b) => Number(a.name !== 'kafka ack') - Number(b.name !== 'kafka ack') || a.startMs - b.startMs);
  const ordered: SpanRecord[] = [];
  const visit = (span: SpanRecord) => {
    ordered.push(span);
    for (const child of children(span.spanId)) visit(child);
  };
  for (const root of children(undefined)) visit(root);
  return ordered;
}

/** A stand-in OTLP/HTTP collector: it keeps what the exporter posts to /v1/traces. */
async function startCollector(): Promise<{ server: Server; url: string; posts: { path: string; body: string }[] }> {
  const posts: { path: string; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      posts.push({ path: request.url ?? '', body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, posts };
}

describe('tracing over OTLP', () => {
  let system: SystemUnderTest;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    collector = await startCollector();
    system = new SystemUnderTest('inbox-tx');
    await system.start();
  });

  afterAll(async () => {
    await system?.stop();
    collector?.server.close();
  });

  it("posts the order service's spans to the collector at TRACING_OTLP_URL", async () => {
    const orders = await system.startApp('order-service', {
      TRACING_EXPORTER: 'otlp',
      TRACING_OTLP_URL: collector.url,
    });
    const [placed] = await system.placeOrders(orders, [
      { userId: `${system.userPrefix}-otlp`, sku: 'MUG', quantity: 3 },
    ]);
    const post = await pollUntil(
      'the collector to receive the order’s spans',
      async () => Promise.resolve(collector.posts.find((p) => p.body.includes(placed.orderId))),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(post.path).toBe('/v1/traces');
    const names = [...post.body.matchAll(/"name":"([^"]+)"/g)].map((match) => match[1]);
    expect(names).toEqual(expect.arrayContaining(['POST /orders', 'order transaction']));
    expect(post.body).toContain('"order-service"');
  });
});
