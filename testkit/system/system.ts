import { SIGNED_EVENTS_ENV } from '../support/event-keys';
import { randomInt, randomUUID } from 'node:crypto';
import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import { REPLAYED_HEADER } from '@redpacket/ordering';
import { ensureTopics, systemTopics } from '@redpacket/kafka';
import type { GrantStrategyName } from '@redpacket/rewards';
import { loadConfig, BaseConfig, type KafkaClientName } from '@redpacket/config';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { pollUntil } from '../infra/process-utils';
import { type AppName, type AppProcess, spawnApp, spawnTypeScript } from '../support/app-process';
import { freePort } from '../support/free-port';
import { waitForGroupCaughtUp } from '../support/consumer-group';
import { asCustomer } from '../support/customer';
import { reconcilerDatabaseUrl, TEST_ADMIN_TOKEN } from '../support/reconciler.harness';
import { appKafkaEnv, grantNamespaceAccess, testKafka, testTls } from '../support/kafka.helpers';

/** Batched grants (one transaction per chunk of messages) or one transaction per message: inbox-tx only. */
export type GrantMode = 'batched' | 'per-message';

export interface PlacedOrder {
  orderId: string;
  userId: string;
  itemCount: number;
  totalCents: number;
}

export interface OrderPlan {
  userId: string;
  quantity: number;
  /** A SKU of the catalogue: the server prices it. */
  sku: string;
}

/** The SKUs on sale in the catalogue the migrations seed, from 1.50 to 250.00. */
export const CATALOGUE_SKUS = [
  'STICKER',
  'PEN',
  'POSTER',
  'MUG',
  'TEE',
  'BOOK',
  'LAMP',
  'HOODIE',
  'SNEAKERS',
  'HEADPHONES',
];

/** A mix of qualifying (3+ items) and ineligible orders spread over `users` users, at catalogue prices. */
export function mixedOrders(prefix: string, count: number, users: number): OrderPlan[] {
  return Array.from({ length: count }, (_, i) => ({
    userId: `${prefix}-u${i % users}`,
    quantity: 1 + randomInt(5),
    sku: CATALOGUE_SKUS[randomInt(CATALOGUE_SKUS.length)],
  }));
}

export interface RunningApp {
  name: AppName;
  process: AppProcess;
  url: string;
}

/**
 * The whole system for one scenario: each app its own process (as in production) on the real
 * broker and database, isolated from other scenarios by a namespace for topics, groups and users.
 */
export class SystemUnderTest {
  readonly namespace = `e2e-${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`;
  readonly topic = namespaced(this.namespace, TOPICS.orderPurchased);
  readonly deadLetterTopic = namespaced(this.namespace, TOPICS.orderPurchasedDeadLetter);
  readonly grantedTopic = namespaced(this.namespace, TOPICS.redPacketGranted);
  readonly group = namespaced(this.namespace, CONSUMER_GROUPS.rewardService);
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly apps: RunningApp[] = [];
  dataSource!: DataSource;

  constructor(
    readonly strategy: GrantStrategyName,
    private readonly cluster: {
      brokers?: string[];
      replicationFactor?: number;
      databaseUrl?: string;
      /** How the reward service grants under inbox-tx; the app's default when not given. */
      grants?: GrantMode;
      /** The apps' Kafka client (KAFKA_CLIENT); the run's when not given. */
      client?: KafkaClientName;
      /** false: the brokers speak plaintext (behind the fault-injecting proxy); TLS as the run's otherwise. */
      tls?: boolean;
    } = {},
  ) {
    this.kafka = testKafka(`${this.namespace}-harness`, cluster.brokers, cluster.tls === false ? null : testTls());
    this.admin = this.kafka.admin();
  }

  /** The database of this system: the run's shared one unless the scenario brought its own. */
  get databaseUrl(): string | undefined {
    return this.cluster.databaseUrl ?? process.env.DATABASE_URL;
  }

  get userPrefix(): string {
    return this.namespace;
  }

  async start(): Promise<void> {
    this.dataSource = await new DataSource({ type: 'postgres', url: this.databaseUrl }).initialize();
    await this.admin.connect();
    const config = loadConfig(BaseConfig, {
      ...process.env,
      KAFKA_NAMESPACE: this.namespace,
      ORDER_TOPIC_PARTITIONS: '6',
      // The topics are made here, before any app boots: they must get the cluster's replication.
      KAFKA_REPLICATION_FACTOR: String(this.cluster.replicationFactor ?? 1),
    });
    await ensureTopics(this.admin, systemTopics(config));
    await grantNamespaceAccess(this.admin, this.namespace);
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_NAMESPACE: this.namespace,
      REWARD_STRATEGY: this.strategy,
      ...(this.cluster.grants ? { REWARD_BATCH_GRANTS: String(this.cluster.grants === 'batched') } : {}),
      ...(this.cluster.client ? { KAFKA_CLIENT: this.cluster.client } : {}),
      ORDER_EVENT_CARRIES_WALLET_VERSION: String(this.strategy === 'version-in-message'),
      REWARD_SESSION_TIMEOUT_MS: '6000',
      RECONCILER_SCHEDULE_ENABLED: 'false',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      // Every app is given the keys; the order service signs, the reward service verifies.
      ...SIGNED_EVENTS_ENV,
      LOG_LEVEL: 'warn',
      ORDER_TOPIC_PARTITIONS: '6',
      ...(this.cluster.brokers ? { KAFKA_BROKERS: this.cluster.brokers.join(',') } : {}),
      // Set to nothing is unset: the apps speak plaintext to such brokers.
      ...(this.cluster.tls === false ? { KAFKA_SSL_CA_FILE: '' } : {}),
      ...(this.cluster.databaseUrl ? { DATABASE_URL: this.cluster.databaseUrl } : {}),
      KAFKA_REPLICATION_FACTOR: String(this.cluster.replicationFactor ?? 1),
      ...extra,
    };
  }

  /** Kills an app (SIGKILL: no goodbye) and starts a new one in its place, with the same settings and extras. */
  async restartApp(app: RunningApp, extraEnv: Record<string, string> = {}, waitReady = true): Promise<RunningApp> {
    await app.process.kill('SIGKILL');
    this.apps.splice(this.apps.indexOf(app), 1);
    return this.startApp(app.name, extraEnv, waitReady);
  }

  /** Starts an app and waits until it reports ready (or exits, for one that is meant to crash). */
  async startApp(name: AppName, extraEnv: Record<string, string> = {}, waitReady = true): Promise<RunningApp> {
    // A port of its own, unless told one (an app started again where the others expect it).
    const port = extraEnv.HTTP_PORT ? Number(extraEnv.HTTP_PORT) : await freePort();
    const role = { ...appKafkaEnv(name), ...(name === 'reconciler' ? this.reconcilerRole() : {}) };
    // The monitor asks the order service for its probes: the one started last, unless told otherwise.
    const orderService = this.apps.filter((app) => app.name === 'order-service').at(-1);
    const probes: Record<string, string> =
      name === 'monitor' && orderService ? { ORDER_SERVICE_URL: orderService.url } : {};
    const process = spawnApp(
      name,
      this.env({ HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', ...role, ...probes, ...extraEnv }),
    );
    const app = { name, process, url: `http://127.0.0.1:${port}` };
    this.apps.push(app);
    if (waitReady) await this.waitReady(app);
    return app;
  }

  async waitReady(app: RunningApp): Promise<void> {
    let exited = false;
    void app.process.exited.then(() => (exited = true));
    await pollUntil(
      `${app.name} to be ready`,
      async () => {
        if (exited) throw new Error(`${app.name} exited:\n${app.process.output().slice(-2000)}`);
        const response = await fetch(`${app.url}/health/ready`);
        return response.ok ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  /** Waits until every running reward-service instance is in the group. */
  async waitForRewardMembers(count: number): Promise<void> {
    await pollUntil(
      `${count} reward-service member(s) in ${this.group}`,
      async () => {
        const { groups } = await this.admin.describeGroups([this.group]);
        return groups[0]?.state === 'Stable' && groups[0].members.length === count ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  /**
   * Places orders over HTTP like a careful client: a failed or refused-for-now request (connection
   * cut, 5xx, 409, 429) is retried with the SAME Idempotency-Key, so a retry can never create a
   * second order.
   */
  async placeOrders(via: RunningApp | RunningApp[], plan: OrderPlan[], concurrency = 8): Promise<PlacedOrder[]> {
    const targets = Array.isArray(via) ? via : [via];
    const placed: PlacedOrder[] = [];
    let next = 0;
    const worker = async (w: number) => {
      for (let i = next++; i < plan.length; i = next++) {
        const order = plan[i];
        const body = JSON.stringify({ items: [{ sku: order.sku, quantity: order.quantity }] });
        const auth = await asCustomer(order.userId);
        placed.push(await this.postOrder(targets[(i + w) % targets.length], randomUUID(), body, auth));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
    return placed;
  }

  private async postOrder(
    target: RunningApp,
    key: string,
    body: string,
    auth: { authorization: string },
  ): Promise<PlacedOrder> {
    const { order } = await postOrder(target, key, body, auth).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.logs()}`, { cause: error });
    });
    return order;
  }

  /** Every outbox row of this scenario published and every event consumed (group lag 0). */
  async waitForQuiescence(timeoutMs = 90_000): Promise<void> {
    try {
      await this.waitForPublishedAndConsumed(timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.logs()}`, { cause: error });
    }
  }

  /** The last lines each app printed: what a failing test shows next to what it expected. */
  logs(): string {
    return this.apps.map((a) => `--- ${a.name} ---\n${a.process.output().slice(-4000)}`).join('\n');
  }

  private async waitForPublishedAndConsumed(timeoutMs: number): Promise<void> {
    await pollUntil(
      'every outbox row of the scenario to be published',
      async () => {
        const [row] = await this.dataSource.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM ordering.outbox WHERE published_at IS NULL AND message_key LIKE $1`,
          [`${this.userPrefix}-%`],
        );
        return Number(row.n) === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
    await waitForGroupCaughtUp(this.admin, this.group, this.topic, timeoutMs);
  }

  /** One reconciliation from the CLI, in its own process; returns the printed report. */
  async reconcile(extraEnv: Record<string, string> = {}, since?: Date): Promise<AppProcess> {
    const args = ['scripts/reconcile.ts', ...(since ? ['--since', since.toISOString()] : [])];
    const role = { ...appKafkaEnv('reconciler'), ...this.reconcilerRole() };
    return spawnTypeScript(args, this.env({ RECONCILER_GRACE_SECONDS: '0', ...role, ...extraEnv }));
  }

  /** Every reconciler, app or CLI, connects to the database as its own role, as it must in production. */
  private reconcilerRole(): Record<string, string> {
    return this.databaseUrl ? { DATABASE_URL: reconcilerDatabaseUrl(this.databaseUrl) } : {};
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.process.kill('SIGKILL')));
    await this.admin.disconnect();
    await this.dataSource?.destroy();
  }
}

/**
 * One POST /orders, sent again with the same key while the answer is a 5xx, a 409 (still in flight), a 429
 * (the customer's bound) or a cut connection; any other answer is final. Also says whether the answer was
 * a replay of a stored response.
 */
export async function postOrder(
  target: RunningApp,
  key: string,
  body: string,
  auth: { authorization: string },
): Promise<{ order: PlacedOrder; replayedHeader: string | null }> {
  let refused: string | undefined;
  const placed = await pollUntil(
    `POST /orders (Idempotency-Key ${key}) to succeed`,
    async () => {
      if (refused) return 'refused' as const;
      const response = await fetch(`${target.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, ...auth },
        body,
      });
      if (response.status === 201) {
        const order = (await response.json()) as PlacedOrder;
        return { order, replayedHeader: response.headers.get(REPLAYED_HEADER) };
      }
      const answer = `${response.status} ${await response.text()}`;
      if (response.status < 500 && response.status !== 409 && response.status !== 429) refused = answer;
      // Thrown so that a timeout says what the service last answered.
      throw new Error(`the last answer was ${answer.slice(0, 300)}`);
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  if (placed === 'refused') throw new Error(`POST /orders refused: ${refused}`);
  return placed;
}
