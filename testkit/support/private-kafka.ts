import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_KAFKA_VERSION,
  ensureKafkaJars,
  isJavaAvailable,
  nodeDirectory,
  startKafkaNode,
  startLocalKafka,
  waitForKafka,
  type RunningLocalKafka,
} from '../infra/local-kafka';
import { stopProcess } from '../infra/process-utils';
import { REPO_ROOT } from '../infra/provision';
import { TcpProxy } from './tcp-proxy';

/**
 * A broker of the test's own, which it may stop and start at will without disturbing other tests.
 * Runs from the Kafka jars, so it needs Java and Maven.
 */
export class PrivateKafka {
  private constructor(
    private readonly running: RunningLocalKafka,
    private readonly stateDir: string,
    private readonly libs: string,
    /**
     * Whether clients speak TLS to it, as to the run's broker. One for a fault-injecting proxy speaks
     * plaintext: the proxy reads the protocol to drop one kind of answer.
     */
    readonly tls: boolean,
    /** In front of the broker, when started with `startBehindProxy`. */
    readonly proxy?: TcpProxy,
  ) {}

  get brokers(): string[] {
    return this.running.brokers;
  }

  static async start(brokerCount: 1 | 3 = 1): Promise<PrivateKafka> {
    return PrivateKafka.launch(brokerCount, randomBasePort(), true);
  }

  /** One broker speaking SASL over plaintext, for a test that puts proxies of its own in front of it. */
  static async startPlaintext(): Promise<PrivateKafka> {
    return PrivateKafka.launch(1, randomBasePort(), false);
  }

  /**
   * One broker that advertises a fault-injecting proxy instead of its own port: bootstrap and
   * metadata both lead every client (apps as processes included) through `proxy`. SASL over plaintext.
   */
  static async startBehindProxy(): Promise<PrivateKafka & { readonly proxy: TcpProxy }> {
    const basePort = randomBasePort();
    const proxy = await TcpProxy.start(`127.0.0.1:${basePort}`);
    try {
      const kafka = await PrivateKafka.launch(1, basePort, false, proxy);
      return kafka as PrivateKafka & { readonly proxy: TcpProxy };
    } catch (error) {
      await proxy.close();
      throw error;
    }
  }

  private static async launch(
    brokerCount: 1 | 3,
    basePort: number,
    tls: boolean,
    proxy?: TcpProxy,
  ): Promise<PrivateKafka> {
    if (!(await isJavaAvailable()))
      throw new Error('this test stops and restarts a broker: it needs Java 17+ and Maven');
    const stateDir = join(REPO_ROOT, '.infra', `private-${randomBytes(3).toString('hex')}`);
    const log = () => undefined;
    const advertisedAddresses = proxy ? [`127.0.0.1:${proxy.port}`] : undefined;
    const running = await startLocalKafka({
      version: DEFAULT_KAFKA_VERSION,
      brokerCount,
      basePort,
      stateDir,
      log,
      advertisedAddresses,
      tls,
    });
    const libs = await ensureKafkaJars(DEFAULT_KAFKA_VERSION, join(stateDir, '..', 'cache'), log);
    return new PrivateKafka(running, stateDir, libs, tls, proxy);
  }

  /** Stops broker `nodeId` (SIGKILL by default: a crash, not a clean shutdown). */
  async stopBroker(nodeId = 1, graceMs = 0): Promise<void> {
    await stopProcess(join(nodeDirectory(this.stateDir, nodeId), 'kafka.pid'), graceMs);
  }

  async startBroker(nodeId = 1): Promise<void> {
    const node = this.running.nodes.find((n) => n.nodeId === nodeId);
    if (!node) throw new Error(`no broker ${nodeId}`);
    startKafkaNode(this.libs, { stateDir: this.stateDir, version: DEFAULT_KAFKA_VERSION }, node);
    await waitForKafka(this.brokers, this.running.nodes.length, 90_000, undefined, this.tls);
  }

  async destroy(): Promise<void> {
    await this.proxy?.close();
    await this.running.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/**
 * Even ports in 20000–29998, below Linux's ephemeral range (32768–60999): a port in that range can
 * be held by any outgoing connection of the run, and the broker would fail to bind it.
 */
function randomBasePort(): number {
  return 20_000 + Math.floor(Math.random() * 5_000) * 2;
}
