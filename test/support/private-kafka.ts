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
} from '../../scripts/infra/local-kafka';
import { stopProcess } from '../../scripts/infra/process-utils';
import { REPO_ROOT } from '../../scripts/infra/provision';

/**
 * A broker of the test's own, which it may stop and start at will without disturbing other tests.
 * Runs from the Kafka jars, so it needs Java and Maven.
 */
export class PrivateKafka {
  private constructor(
    private readonly running: RunningLocalKafka,
    private readonly stateDir: string,
    private readonly libs: string,
  ) {}

  get brokers(): string[] {
    return this.running.brokers;
  }

  static async start(brokerCount: 1 | 3 = 1): Promise<PrivateKafka> {
    if (!(await isJavaAvailable()))
      throw new Error('this test stops and restarts a broker: it needs Java 17+ and Maven');
    const stateDir = join(REPO_ROOT, '.infra', `private-${randomBytes(3).toString('hex')}`);
    const basePort = 30_000 + Math.floor(Math.random() * 5_000) * 2;
    const log = () => undefined;
    const running = await startLocalKafka({ version: DEFAULT_KAFKA_VERSION, brokerCount, basePort, stateDir, log });
    const libs = await ensureKafkaJars(DEFAULT_KAFKA_VERSION, join(stateDir, '..', 'cache'), log);
    return new PrivateKafka(running, stateDir, libs);
  }

  /** Stops broker `nodeId` (SIGKILL by default: a crash, not a clean shutdown). */
  async stopBroker(nodeId = 1, graceMs = 0): Promise<void> {
    await stopProcess(join(nodeDirectory(this.stateDir, nodeId), 'kafka.pid'), graceMs);
  }

  async startBroker(nodeId = 1): Promise<void> {
    const node = this.running.nodes.find((n) => n.nodeId === nodeId);
    if (!node) throw new Error(`no broker ${nodeId}`);
    startKafkaNode(this.libs, { stateDir: this.stateDir, version: DEFAULT_KAFKA_VERSION }, node);
    await waitForKafka(this.brokers, this.running.nodes.length, 90_000);
  }

  async destroy(): Promise<void> {
    await this.running.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
