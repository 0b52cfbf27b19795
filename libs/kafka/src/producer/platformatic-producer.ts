import { compatibilityPartitioner, type MessageToProduce, Producer } from '@platformatic/kafka';
import type { KafkaClientOptions } from '../kafka-client.factory';
import { PLATFORMATIC_REQUEST_TIMEOUT_MS, platformaticConnection } from '../platformatic-options';
import {
  assertEveryPartitionAcknowledged,
  type EventProducer,
  type OutgoingMessage,
  type PartitionAck,
  UnacknowledgedPartitionsError,
  routingOf,
  withRouting,
} from './event-producer';

type Bytes = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

const RETRY_DELAY_MS = 250;

/**
 * The port on an idempotent @platformatic/kafka producer (acks=all; the library keeps one request in
 * flight per broker and numbers each partition's batches). Sends may overlap: the library assigns a
 * send's sequence numbers when it is made, so two sends to one partition are written in that order.
 * After a failed send the library starts a new producer session for the next one by itself.
 */
export class PlatformaticEventProducer implements EventProducer {
  private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  /** Keyless messages without a partition take the next partition in turn, so their routing is known here. */
  private nextUnkeyed = 0;
  /** Longer than every attempt the library may make; past it a send that never settled counts as failed. */
  private readonly deadlineMs: number;
  /** The library reports each failed connection attempt, some twice: this allows `retries` of them. */
  private readonly connectFailuresAllowed: number;

  constructor(options: KafkaClientOptions, retries = 5) {
    this.deadlineMs = (PLATFORMATIC_REQUEST_TIMEOUT_MS + RETRY_DELAY_MS) * (retries + 1);
    this.connectFailuresAllowed = 4 * (retries + 1);
    this.producer = new Producer({
      ...platformaticConnection(options),
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      // murmur2 masked to a positive number, as the Java client and kafkajs: a key maps to the same
      // partition whichever client wrote it.
      partitioner: compatibilityPartitioner,
      retries,
      retryDelay: RETRY_DELAY_MS,
    });
  }

  /** Fails as kafkajs' connect does when no broker answers or the principal may not write idempotently. */
  async connect(): Promise<void> {
    await this.producer.initIdempotentProducer({});
  }

  async disconnect(): Promise<void> {
    await this.producer.close();
  }

  async send(topic: string, messages: OutgoingMessage[]): Promise<PartitionAck[]> {
    const sending = this.sendRecords(topic, messages);
    return withDeadline(this.whileReachable(sending), this.deadlineMs, topic).catch((error: unknown) => {
      throw KafkaSendError.from(topic, error);
    });
  }

  /**
   * The library does not bound its reconnects during a send: with a broker stopped, it tries again
   * every retry delay until the broker is back, whatever `retries` says. Past the connection failures
   * its retries allow, the send fails here as a network error (retriable), as kafkajs' would.
   */
  private whileReachable<T>(sending: Promise<T>): Promise<T> {
    let failures = 0;
    let onFailure: (() => void) | undefined;
    const unreachable = new Promise<never>((_, reject) => {
      onFailure = () => {
        failures += 1;
        if (failures > this.connectFailuresAllowed)
          reject(
            Object.assign(new Error(`no broker reachable after ${failures} connection attempts`), {
              code: 'NETWORK_ERROR',
            }),
          );
      };
      this.producer.on('client:broker:failed', onFailure);
    });
    return Promise.race([sending, unreachable]).finally(() => this.producer.off('client:broker:failed', onFailure!));
  }

  private async sendRecords(topic: string, messages: OutgoingMessage[]): Promise<PartitionAck[]> {
    const { topics } = await this.producer.metadata({ topics: [topic] });
    const partitionsCount = topics.get(topic)?.partitionsCount ?? 0;
    if (partitionsCount === 0) throw new Error(`topic ${topic} has no partitions in the cluster's metadata`);
    const records = messages.map((message) => this.record(topic, message, partitionsCount));
    const result = await this.producer.send({ messages: records }).catch((error: unknown) => {
      throw withRouting(
        error,
        records.map((record) => record.partition),
      );
    });
    const acks = (result.offsets ?? []).map(({ topic: ackTopic, partition, offset }) => ({
      topic: ackTopic,
      partition,
      baseOffset: offset.toString(),
    }));
    assertEveryPartitionAcknowledged(topic, new Set(records.map((record) => record.partition as number)), acks);
    return acks;
  }

  /** Bytes, and the partition chosen here, so the send knows every partition it must hear back from. */
  private record(topic: string, message: OutgoingMessage, partitionsCount: number): Bytes {
    const key = toBuffer(message.key);
    const value = toBuffer(message.value);
    const partition =
      message.partition ??
      (key ? compatibilityPartitioner({ topic }, key) % partitionsCount : this.nextUnkeyed++ % partitionsCount);
    // A Map of bytes: the library's default serializers take Buffers only, and a header given as a
    // plain object with text keys makes its send never settle (the serializer's error is lost).
    const headers = new Map<Buffer, Buffer>();
    for (const [name, header] of Object.entries(message.headers ?? {})) {
      // The library holds one value per header name: of a repeated header, the last is written.
      const last = Array.isArray(header) ? header.at(-1) : header;
      if (last !== undefined) headers.set(Buffer.from(name), Buffer.from(last));
    }
    return { topic, key, value, headers, partition };
  }
}

function toBuffer(data: string | Buffer | null | undefined): Buffer | undefined {
  if (data === null || data === undefined) return undefined;
  return typeof data === 'string' ? Buffer.from(data) : data;
}

/**
 * A send the library never settles (it happened with headers its serializers refused) would hold the
 * relay's batch, and its keys' locks, forever. Past the deadline it fails, and the relay sends the rows
 * again: should the first send land after all, that is a duplicate the consumer absorbs.
 */
async function withDeadline<T>(sending: Promise<T>, deadlineMs: number, topic: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`send to ${topic} did not settle within ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    return await Promise.race([sending, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface LibraryError {
  code?: string;
  apiId?: string;
  canRetry?: boolean;
  errors?: unknown[];
  cause?: unknown;
}

/**
 * A failed send, in the shape `classifyError` reads from a Kafka client: `type` is the broker's error
 * name (MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED, ...) or the library's code for a network failure
 * or a timeout; `retriable` is false only when the library says the broker's refusal is final. So a
 * poison message that the dead-letter topic refuses is as fatal here as under kafkajs.
 */
export class KafkaSendError extends Error {
  override readonly name = 'KafkaSendError';

  private constructor(
    message: string,
    readonly type: string,
    readonly retriable: boolean,
    cause: unknown,
  ) {
    super(message, { cause });
  }

  static from(topic: string, error: unknown): Error {
    if (error instanceof KafkaSendError || error instanceof UnacknowledgedPartitionsError) return error;
    const refusals = protocolErrorsIn(error);
    const final = refusals.find((refusal) => refusal.canRetry === false);
    const type = (final ?? refusals[0])?.apiId ?? (error as LibraryError | undefined)?.code ?? 'UNKNOWN';
    const reason = error instanceof Error ? error.message : String(error);
    const translated = new KafkaSendError(
      `send to ${topic} failed: ${type} (${reason})`,
      type,
      final === undefined,
      error,
    );
    const routing = routingOf(error);
    return routing ? (withRouting(translated, routing) as KafkaSendError) : translated;
  }
}

/** The broker's refusals inside a library error: on it, its cause, or among an aggregate's errors. */
function protocolErrorsIn(error: unknown, depth = 0): LibraryError[] {
  if (error === null || typeof error !== 'object' || depth > 5) return [];
  const { apiId, errors, cause } = error as LibraryError;
  const inner = [cause, ...(Array.isArray(errors) ? errors : [])].flatMap((e) => protocolErrorsIn(e, depth + 1));
  return apiId ? [error, ...inner] : inner;
}
