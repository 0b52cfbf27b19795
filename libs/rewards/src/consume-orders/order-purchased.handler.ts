import { Logger } from '@nestjs/common';
import {
  type EventVerifier,
  type OrderPurchasedV1,
  parseOrderPurchased,
  probeSentAtOrBusiness,
} from '@redpacket/contracts';
import { classifyError } from '@redpacket/errors';
import { failpoint } from '@redpacket/failpoints';
import {
  atOffset,
  type ConsumedMessage,
  type MessagePosition,
  type PartitionHandler,
  type PartitionWork,
  processByKey,
} from '@redpacket/kafka';
import { type Span, SpanKind } from '@opentelemetry/api';
import { BatchTraces, type ConsumedMessageTrace, inConsumeSpan, inSpan, type Metrics } from '@redpacket/observability';
import { EVENT_HEADERS, headerText } from '@redpacket/contracts';
import type { GrantOnceService } from '../grant-red-packet/grant-once.service';
import type { GrantOutcome, GrantRequest } from '../grant-red-packet/grant.types';
import type { DeadLetterPublisher } from './dead-letter.publisher';
import type { ProbeObserver } from './probe-observer';

export interface OrderPurchasedHandlerOptions {
  /** Keys (users) processed at once inside one partition's batch. */
  concurrency: number;
  /** Grant in chunks of `batchSize`, one transaction per chunk (inbox-tx only). */
  batchGrants: boolean;
  batchSize: number;
  /** Checks each event's signature before anything is decided; events are not checked when absent. */
  verifier?: EventVerifier;
}

export interface ConsumerStats {
  consumed: number;
  deadLettered: number;
  probes: number;
}

/** A message that parsed into an event, waiting for its chunk's grant. */
interface ParsedMessage {
  message: ConsumedMessage;
  event: OrderPurchasedV1;
}

/**
 * The business side of the reward consumer: drop probes, parse, verify the writer, grant, record the outcome. A failure
 * the classifier calls poison (a contract violation, a value Postgres refuses) is dead-lettered and
 * the message counts as finished; anything else is thrown for the runner to retry.
 */
export class OrderPurchasedHandler implements PartitionHandler {
  readonly stats: ConsumerStats = { consumed: 0, deadLettered: 0, probes: 0 };
  private readonly logger = new Logger(OrderPurchasedHandler.name);

  constructor(
    private readonly grants: GrantOnceService,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly probes: ProbeObserver,
    private readonly metrics: Metrics,
    private readonly options: OrderPurchasedHandlerOptions,
  ) {}

  handle(work: PartitionWork): Promise<void> {
    return this.options.batchGrants ? this.handleInChunks(work) : this.handleEach(work);
  }

  /** One transaction per message; different users at once, one user's events in order. */
  private handleEach(work: PartitionWork): Promise<void> {
    return processByKey(
      [...work.messages],
      (message) => message.key?.toString() ?? '',
      this.options.concurrency,
      async (message) => {
        await this.handleOne(atOffset(work.position, message.offset), message);
        work.finished([message]);
      },
      () => work.canContinue(),
    );
  }

  /**
   * One transaction per chunk. Probes and poison are dealt with per message, once, and finish at once:
   * should the chunk's grant fail and the partition be fetched again, they are not dead-lettered twice.
   * A chunk whose grant fails for good goes again one message at a time, so only the culprit is parked.
   */
  private async handleInChunks(work: PartitionWork): Promise<void> {
    for (const chunk of chunksOf(work.messages, this.options.batchSize)) {
      if (!work.canContinue()) return;
      const parsed: ParsedMessage[] = [];
      for (const message of chunk) {
        const event = await this.eventOrPark(atOffset(work.position, message.offset), message);
        if (event) parsed.push({ message, event });
        else work.finished([message]);
      }
      if (parsed.length > 0) await this.grantChunk(work, parsed);
      work.finished(parsed.map(({ message }) => message));
    }
  }

  /**
   * One transaction for the chunk, each message in a trace of its own (`BatchTraces`): its RedPacketGranted
   * carries its own grant span's context.
   */
  private async grantChunk(work: PartitionWork, parsed: ParsedMessage[]): Promise<void> {
    const positions = parsed.map(({ message }) => atOffset(work.position, message.offset));
    const traces = new BatchTraces(
      parsed.map(({ message }, i) => traceOf(positions[i], message)),
      GRANT_TRANSACTION,
    );
    let outcomes: GrantOutcome[];
    try {
      outcomes = await this.grants.grantBatch(
        parsed.map(({ event }, i) => withTraceContext(grantRequestOf(event, positions[i]), traces.workTraceparent(i))),
      );
    } catch (error) {
      traces.end(error);
      if (classifyError(error).retriable) throw error;
      for (const { message } of parsed) await this.handleOne(atOffset(work.position, message.offset), message);
      return;
    }
    traces.end(undefined, (index) => ({ 'grant.outcome': outcomes[index] }));
    parsed.forEach(({ message, event }, index) =>
      traces.within(index, () => this.recordOutcome(atOffset(work.position, message.offset), event, outcomes[index])),
    );
    await failpoint('reward.after-db-commit');
  }

  /** In a `consume` span that continues the trace the message carries, with the grant's transaction as its child. */
  private handleOne(position: MessagePosition, message: ConsumedMessage): Promise<void> {
    return inConsumeSpan(traceOf(position, message), () => this.consumeOne(position, message));
  }

  private async consumeOne(position: MessagePosition, message: ConsumedMessage): Promise<void> {
    const event = await this.eventOrPark(position, message);
    if (!event) return;
    try {
      const outcome = await inSpan(GRANT_TRANSACTION.name, GRANT_TRANSACTION.options, (span) =>
        this.grants.grantOnce(grantRequestOf(event, position)).then((result) => outcomeOn(span, result)),
      );
      this.recordOutcome(position, event, outcome);
    } catch (error) {
      await this.parkIfPoison(position, message, error);
      return;
    }
    await failpoint('reward.after-db-commit');
  }

  /** The event, or undefined for a probe (observed) or a poison message (dead-lettered). */
  private async eventOrPark(
    position: MessagePosition,
    message: ConsumedMessage,
  ): Promise<OrderPurchasedV1 | undefined> {
    try {
      const probeSentAtMs = probeSentAtOrBusiness(message.value, message.headers);
      if (probeSentAtMs === undefined) {
        const event = parseOrderPurchased(message.value, message.headers ?? {});
        // After parsing, so a malformed message keeps its own code; before any decision, so a forged
        // one, however well-formed, pays nothing.
        this.options.verifier?.check(message);
        return event;
      }
      this.stats.probes += 1;
      this.probes.observe(position.partition, probeSentAtMs, Date.now());
      return undefined;
    } catch (error) {
      await this.parkIfPoison(position, message, error);
      return undefined;
    }
  }

  /** Dead-letters a poison message; rethrows anything worth retrying. */
  private async parkIfPoison(position: MessagePosition, message: ConsumedMessage, error: unknown): Promise<void> {
    const why = classifyError(error);
    if (why.retriable) throw error;
    await this.deadLetters.publish(position, message, why, error);
    this.stats.deadLettered += 1;
    this.metrics.deadLettered.inc({ code: why.code });
    this.logger.warn('message dead-lettered', { ...position, code: why.code, error: (error as Error).message });
  }

  private recordOutcome(position: MessagePosition, event: OrderPurchasedV1, outcome: GrantOutcome): void {
    this.stats.consumed += 1;
    this.metrics.eventsConsumed.inc({ outcome });
    if (outcome === 'granted') this.metrics.grantLatency.observe((Date.now() - Date.parse(event.occurredAt)) / 1_000);
    this.logger.debug?.('order event processed', {
      outcome,
      eventId: event.eventId,
      orderId: event.orderId,
      ...position,
    });
  }
}

const GRANT_TRANSACTION = {
  name: 'grant transaction',
  options: { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } },
};

/** Where the message was read, its id and the trace it carries, as its spans record them. */
function traceOf(position: MessagePosition, message: ConsumedMessage): ConsumedMessageTrace {
  return {
    ...position,
    messageId: headerText(message.headers?.[EVENT_HEADERS.eventId]) ?? '',
    traceparent: headerText(message.headers?.[EVENT_HEADERS.traceparent]),
  };
}

function withTraceContext(request: GrantRequest, traceContext: string | undefined): GrantRequest {
  return traceContext ? { ...request, traceContext } : request;
}

function outcomeOn(span: Span, outcome: GrantOutcome): GrantOutcome {
  span.setAttribute('grant.outcome', outcome);
  return outcome;
}

export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** The event's order, placed at the time the order service committed it: that time picks the reward rule. */
function grantRequestOf(event: OrderPurchasedV1, position: MessagePosition): GrantRequest {
  return {
    source: 'event',
    ...event,
    placedAt: new Date(event.occurredAt),
    delivery: { partition: position.partition, offset: position.offset },
  };
}
