import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  grantSystemAccess,
  KAFKA_PRINCIPALS,
  type KafkaCredentials,
  type KafkaPrincipal,
  patchKafkajs,
  saslOptions,
} from '@redpacket/kafka';
import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { busyPorts } from './busy-ports';
import { ensureDevelopmentCertificates } from './dev-certificates';
import { DEVELOPMENT_CONTROLLER_USER, DEVELOPMENT_KAFKA_PASSWORDS, developmentCredentials } from './kafka-users';
import { commandExists, detachedSpawnOptions, pollUntil, runCommand, stopProcess, writePidFile } from './process-utils';

export const DEFAULT_KAFKA_VERSION = '3.9.1';
export const DEFAULT_KAFKA_BASE_PORT = 19092;

export interface KafkaNodeSpec {
  nodeId: number;
  port: number;
  controllerPort: number;
}

export interface LocalKafkaOptions {
  version: string;
  brokerCount: 1 | 3;
  basePort: number;
  stateDir: string;
  log: (message: string) => void;
  /**
   * What broker n tells clients to dial ("host:port", one per broker), when not its own listener:
   * e.g. a proxy in front of it. Clients then bootstrap from these addresses too.
   */
  advertisedAddresses?: string[];
  /**
   * Clients speak SASL over TLS (the default). `false` keeps SASL over plaintext, for a broker behind a
   * fault-injecting proxy that must read the protocol to drop one kind of answer.
   */
  tls?: boolean;
}

/** Broker n listens on basePort + 2(n-1) and its controller on the next port. */
export function kafkaNodeSpecs(brokerCount: number, basePort: number): KafkaNodeSpec[] {
  return Array.from({ length: brokerCount }, (_, index) => ({
    nodeId: index + 1,
    port: basePort + index * 2,
    controllerPort: basePort + index * 2 + 1,
  }));
}

export function brokerAddresses(nodes: KafkaNodeSpec[]): string[] {
  return nodes.map((node) => `127.0.0.1:${node.port}`);
}

export async function isJavaAvailable(): Promise<boolean> {
  return (await commandExists('java')) && (await commandExists('mvn'));
}

export function loggingArtifacts(version: string): string {
  // Kafka 3.x logs through slf4j 1.7 + reload4j; 4.x moved to log4j2. Neither binding is transitive.
  return version.startsWith('3.')
    ? dependency('org.slf4j', 'slf4j-reload4j', '1.7.36')
    : dependency('org.apache.logging.log4j', 'log4j-slf4j-impl', '2.24.3') +
        dependency('org.apache.logging.log4j', 'log4j-core', '2.24.3');
}

export function dependency(groupId: string, artifactId: string, version: string): string {
  return `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
}

/** Downloads the broker's jars from Maven Central once; later runs reuse the folder (and ~/.m2). */
export async function ensureKafkaJars(version: string, cacheDir: string, log: (m: string) => void): Promise<string> {
  const libs = join(cacheDir, `kafka-${version}`, 'libs');
  // kafka-tools: the operator's commands (kafka-consumer-groups is its ConsumerGroupCommand).
  if (existsSync(join(libs, `kafka_2.13-${version}.jar`)) && existsSync(join(libs, `kafka-tools-${version}.jar`)))
    return libs;
  log(`fetching org.apache.kafka:kafka_2.13:${version}, kafka-tools and their runtime dependencies from Maven Central`);
  await fetchMavenArtifacts(
    join(cacheDir, `kafka-${version}`),
    dependency('org.apache.kafka', 'kafka_2.13', version) +
      dependency('org.apache.kafka', 'kafka-tools', version) +
      loggingArtifacts(version),
    `Kafka ${version}`,
  );
  return libs;
}

/**
 * Copies `dependencies` (pom `<dependency>` elements, see `dependency`) and everything they need at
 * runtime from Maven Central into `home/libs`, through a pom of their own in `home`.
 */
export async function fetchMavenArtifacts(home: string, dependencies: string, what: string): Promise<string> {
  const libs = join(home, 'libs');
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.redpacket</groupId><artifactId>runtime</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>${dependencies}</dependencies></project>\n`,
  );
  const result = await runCommand(
    'mvn',
    [
      '-B',
      '-q',
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
      `-DoutputDirectory=${libs}`,
      '-DincludeScope=runtime',
    ],
    { cwd: home },
  );
  if (result.code !== 0) {
    rmSync(libs, { recursive: true, force: true });
    throw new Error(`Maven could not fetch ${what}:\n${result.output.slice(-3000)}`);
  }
  return libs;
}

/** A KRaft cluster id: 16 random bytes, base64url without padding, as `kafka-storage random-uuid` prints. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export function serverProperties(
  node: KafkaNodeSpec,
  all: KafkaNodeSpec[],
  dataDir: string,
  advertisedAddress = `127.0.0.1:${node.port}`,
  tls = true,
): string {
  const replication = all.length >= 3 ? 3 : 1;
  const voters = all.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  return [
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${voters}`,
    ...securityProperties(node, advertisedAddress, tls),
    `log.dirs=${dataDir}`,
    // Topics are created by the applications' bootstrap through the admin API, never implicitly.
    'auto.create.topics.enable=false',
    `default.replication.factor=${replication}`,
    `min.insync.replicas=${replication === 3 ? 2 : 1}`,
    `offsets.topic.replication.factor=${replication}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${replication === 3 ? 2 : 1}`,
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ].join('\n');
}

const JAAS = {
  scram: 'org.apache.kafka.common.security.scram.ScramLoginModule',
  plain: 'org.apache.kafka.common.security.plain.PlainLoginModule',
};

/**
 * Every listener authenticates. Clients and brokers speak SCRAM-SHA-512 over TLS on BROKER, as users created at
 * format time (KIP-900); brokers reach the controllers over SASL/PLAIN as a user the controller listener
 * declares itself (KRaft controllers do not take SCRAM). The StandardAuthorizer allows only what an ACL
 * names; the admin and the controller user are super users.
 */
function securityProperties(node: KafkaNodeSpec, advertisedAddress: string, tls: boolean): string[] {
  const admin = developmentCredentials('admin');
  const controller = DEVELOPMENT_CONTROLLER_USER;
  const certificates = ensureDevelopmentCertificates();
  const brokerListener = tls
    ? [
        // Clients and brokers: SASL over TLS, the broker proving itself with a certificate of the
        // development CA. The controllers' listener stays on loopback, between the nodes only.
        'listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,BROKER:SASL_SSL',
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${certificates.keystoreFile}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${certificates.caFile}`,
      ]
    : ['listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT'];
  return [
    `listeners=BROKER://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=BROKER://${advertisedAddress}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=BROKER',
    ...brokerListener,
    'listener.name.broker.sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.broker.scram-sha-512.sasl.jaas.config=${JAAS.scram} required username="${admin.username}" password="${admin.password}";`,
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    'sasl.mechanism.controller.protocol=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=${JAAS.plain} required username="${controller.username}" password="${controller.password}" user_${controller.username}="${controller.password}";`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:${admin.username};User:${controller.username}`,
  ];
}

/** `--add-scram` arguments creating every principal of the system at format time. */
export function scramUserArguments(): string[] {
  return (Object.keys(KAFKA_PRINCIPALS) as KafkaPrincipal[]).flatMap((principal) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${KAFKA_PRINCIPALS[principal]},password=${DEVELOPMENT_KAFKA_PASSWORDS[principal]}]`,
  ]);
}

const LOG4J_PROPERTIES = `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=\${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
`;

function javaArgs(libs: string, nodeDir: string, version: string): string[] {
  const logging = version.startsWith('3.')
    ? `-Dlog4j.configuration=file:${join(nodeDir, 'log4j.properties')}`
    : `-Dlog4j2.configurationFile=${join(nodeDir, 'log4j.properties')}`;
  return [
    '-Xms512m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${nodeDir}`,
    logging,
    '-cp',
    `${libs}/*`,
  ];
}

export interface RunningLocalKafka {
  brokers: string[];
  nodes: KafkaNodeSpec[];
  stop(): Promise<void>;
}

export function nodeDirectory(stateDir: string, nodeId: number): string {
  return join(stateDir, `kafka-${nodeId}`);
}

/** Formats fresh storage and starts the broker(s) as detached processes, then waits for the cluster. */
export async function startLocalKafka(options: LocalKafkaOptions): Promise<RunningLocalKafka> {
  const nodes = kafkaNodeSpecs(options.brokerCount, options.basePort);
  // A broker that cannot bind its port would exit, and the wait below would find whatever else listens there.
  const taken = await busyPorts(
    '127.0.0.1',
    nodes.flatMap((node) => [node.port, node.controllerPort]),
  );
  if (taken.length > 0)
    throw new Error(
      `Kafka cannot start: port(s) ${taken.join(', ')} on 127.0.0.1 already in use (another broker? KAFKA_LOCAL_PORT moves this one)`,
    );
  const libs = await ensureKafkaJars(options.version, join(options.stateDir, '..', 'cache'), options.log);
  const clusterId = newClusterId();
  if (options.advertisedAddresses && options.advertisedAddresses.length !== nodes.length)
    throw new Error(`${nodes.length} broker(s) need as many advertised addresses`);
  for (const node of nodes) {
    const nodeDir = nodeDirectory(options.stateDir, node.nodeId);
    rmSync(nodeDir, { recursive: true, force: true });
    mkdirSync(nodeDir, { recursive: true });
    const propertiesFile = join(nodeDir, 'server.properties');
    const advertised = options.advertisedAddresses?.[node.nodeId - 1];
    writeFileSync(propertiesFile, serverProperties(node, nodes, join(nodeDir, 'data'), advertised, options.tls));
    writeFileSync(join(nodeDir, 'log4j.properties'), LOG4J_PROPERTIES);
    const format = await runCommand('java', [
      ...javaArgs(libs, nodeDir, options.version),
      'kafka.tools.StorageTool',
      'format',
      // One token: an id that starts with '-' (1 in 64 do) would otherwise be read as an option.
      `--cluster-id=${clusterId}`,
      '-c',
      propertiesFile,
      '--ignore-formatted',
      ...scramUserArguments(),
    ]);
    if (format.code !== 0) throw new Error(`kafka storage format failed for node ${node.nodeId}:\n${format.output}`);
  }
  for (const node of nodes) startKafkaNode(libs, options, node);
  const running: RunningLocalKafka = {
    brokers: options.advertisedAddresses ?? brokerAddresses(nodes),
    nodes,
    stop: () => stopLocalKafka(options.stateDir, nodes),
  };
  try {
    await waitForKafka(running.brokers, nodes.length, 90_000, LOCAL_ADMIN, options.tls ?? true);
  } catch (error) {
    const logs = nodes
      .flatMap((n) =>
        ['kafka.out', 'server.log'].map((file) => tailOfLog(join(nodeDirectory(options.stateDir, n.nodeId), file))),
      )
      .join('\n');
    await running.stop();
    throw new Error(`${(error as Error).message}\n--- broker output ---\n${logs}`, { cause: error });
  }
  const tls = options.tls ?? true;
  await warmUpKafka(running.brokers, nodes.length >= 3 ? 3 : 1, LOCAL_ADMIN, undefined, tls);
  // The default namespace's rules; a test or environment with a namespace of its own grants its own.
  await withAdmin(running.brokers, (admin) => grantSystemAccess(admin, ''), tls);
  options.log(`kafka ${options.version}: ${nodes.length} broker(s) ready at ${running.brokers.join(',')}`);
  return running;
}

/** Starts one node on its already formatted storage (also used to restart a killed broker). */
export function startKafkaNode(
  libs: string,
  options: Pick<LocalKafkaOptions, 'stateDir' | 'version'>,
  node: KafkaNodeSpec,
): number {
  const nodeDir = nodeDirectory(options.stateDir, node.nodeId);
  const out = openSync(join(nodeDir, 'kafka.out'), 'a');
  const child = spawn(
    'java',
    [...javaArgs(libs, nodeDir, options.version), 'kafka.Kafka', join(nodeDir, 'server.properties')],
    detachedSpawnOptions(out),
  );
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start kafka node ${node.nodeId}`);
  writePidFile(join(nodeDir, 'kafka.pid'), child.pid);
  return child.pid;
}

export async function stopLocalKafka(stateDir: string, nodes: KafkaNodeSpec[]): Promise<void> {
  await Promise.all(nodes.map((node) => stopProcess(join(nodeDirectory(stateDir, node.nodeId), 'kafka.pid'))));
}

/** Ready means every broker is registered and the admin API answers: no sleeping on a guess. */
/** TLS verified with the development CA (true), with another CA, or none (a plaintext broker). */
export type BrokerTls = boolean | { caFile: string };

export async function waitForKafka(
  brokers: string[],
  expectedBrokers: number,
  timeoutMs: number,
  authentication: Authentication = LOCAL_ADMIN,
  /**
   * Our brokers take TLS only, verified with the development CA; a broker of another kind is plaintext
   * (a container's) or verified with a CA of its own (the compose file's).
   */
  tls: BrokerTls = true,
): Promise<void> {
  const kafka = infraClient('redpacket-infra', brokers, authentication, { retries: 0 }, tls);
  const admin = kafka.admin();
  try {
    await pollUntil(
      `${expectedBrokers} kafka broker(s) at ${brokers.join(',')}`,
      async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length >= expectedBrokers && cluster.controller !== null ? true : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A fresh broker creates its internal topics (__consumer_offsets, the transaction state log) on
 * first use and answers "coordinator is loading" until they are ready. One round trip through an
 * idempotent producer and a consumer group that commits makes it ready before any test relies on it.
 */
export async function warmUpKafka(
  brokers: string[],
  replicationFactor: number,
  authentication: Authentication = LOCAL_ADMIN,
  timeoutMs = 120_000,
  tls = true,
): Promise<void> {
  const kafka = infraClient('redpacket-warm-up', brokers, authentication, undefined, tls);
  const topic = '__redpacket_warm_up';
  const admin = kafka.admin();
  await admin.connect();
  try {
    await pollUntil(
      'the broker to accept an idempotent write and a group commit',
      async () => {
        // Leaders of a new cluster take a moment: creation itself is retried until it holds.
        if (!(await admin.listTopics()).includes(topic)) {
          await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor }], waitForLeaders: true });
        }
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        try {
          await producer.connect();
          await producer.send({ topic, acks: -1, messages: [{ value: 'warm-up' }] });
          await admin.setOffsets({ groupId: 'redpacket-warm-up', topic, partitions: [{ partition: 0, offset: '1' }] });
          return true;
        } finally {
          await producer.disconnect().catch(() => undefined);
        }
      },
      { timeoutMs, intervalMs: 500 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** How an infrastructure client signs in: the local broker's super user, or `null` for an open broker. */
export type Authentication = KafkaCredentials | null;
const LOCAL_ADMIN = developmentCredentials('admin');

function infraClient(
  clientId: string,
  brokers: string[],
  authentication: Authentication = LOCAL_ADMIN,
  retry?: KafkaConfig['retry'],
  tls: BrokerTls = true,
): Kafka {
  patchKafkajs();
  const sasl = saslOptions(authentication ?? undefined);
  const caFile = tls === true ? ensureDevelopmentCertificates().caFile : tls && tls.caFile;
  const ssl = caFile ? { ca: [readFileSync(caFile, 'utf8')] } : undefined;
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry, sasl, ssl });
}

/** Runs `work` with an admin client of the local broker, as its super user. */
export async function withAdmin<T>(brokers: string[], work: (admin: Admin) => Promise<T>, tls = true): Promise<T> {
  const admin = infraClient('redpacket-infra', brokers, LOCAL_ADMIN, undefined, tls).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function isKafkaReachable(brokers: string[]): Promise<boolean> {
  try {
    await waitForKafka(brokers, 1, 3_000);
    return true;
  } catch {
    return false;
  }
}

function tailOfLog(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8').slice(-2000) : `(no ${path})`;
}
