import {
  type Attributes,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { contextOf, inSpan, traceparentOf, tracer } from './tracing';

/** A consumed message as its trace sees it: where it was read, its id, and the trace context it carries. */
export interface ConsumedMessageTrace {
  topic: string;
  partition: number;
  offset: string;
  messageId: string;
  /** The `traceparent` header the producer sent, if any. */
  traceparent?: string;
}

/** The span options of consuming one message, after OpenTelemetry's messaging conventions for Kafka. */
function consumeSpanOptions(message: ConsumedMessageTrace): SpanOptions {
  return {
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.destination.name': message.topic,
      'messaging.destination.partition.id': String(message.partition),
      'messaging.kafka.offset': Number(message.offset),
      'messaging.message.id': message.messageId,
    },
  };
}

/** Runs `work` in a `consume <topic>` span that continues the trace the message carries. */
export function inConsumeSpan<T>(message: ConsumedMessageTrace, work: () => Promise<T>): Promise<T> {
  return inSpan(`consume ${message.topic}`, consumeSpanOptions(message), work, contextOf(message.traceparent));
}

/**
 * Many consumed messages handled by one piece of work (one transaction for a chunk), each in a trace of
 * its own: every message gets its `consume` span, a child of the trace it carries, and under it a span
 * named `work.name` covering the shared work. What the work writes for a message carries that message's
 * work span (`workTraceparent`). With tracing off the spans are the API's no-ops and carry no context.
 */
export class BatchTraces {
  private readonly consumes: Span[];
  private readonly works: Span[];

  constructor(messages: readonly ConsumedMessageTrace[], work: { name: string; options: SpanOptions }) {
    this.consumes = messages.map((message) =>
      tracer().startSpan(`consume ${message.topic}`, consumeSpanOptions(message), contextOf(message.traceparent)),
    );
    this.works = this.consumes.map((consume) =>
      tracer().startSpan(work.name, work.options, trace.setSpan(ROOT_CONTEXT, consume)),
    );
  }

  /** The context of message `index`'s work span, as a `traceparent`. */
  workTraceparent(index: number): string | undefined {
    return traceparentOf(trace.setSpan(ROOT_CONTEXT, this.works[index]));
  }

  /** Runs `work` as part of message `index`'s own trace: its log lines carry that trace's id. */
  within(index: number, work: () => void): void {
    context.with(trace.setSpan(context.active(), this.consumes[index]), work);
  }

  /** Ends every span; a failed work marks each work span, and `attributesOf` adds what each message came to. */
  end(error: unknown, attributesOf: (index: number) => Attributes = () => ({})): void {
    this.works.forEach((span, index) => {
      span.setAttributes(attributesOf(index));
      if (error) span.recordException(error as Error);
      span.end();
    });
    for (const span of this.consumes) span.end();
  }
}

/** A message about to be published, with the trace of the work that wrote it (an outbox row's). */
export interface PublishedMessageTrace {
  messageId: string;
  /** The writer's `traceparent`; a message written without one is published without a span. */
  traceparent: string | null | undefined;
  attributes?: Attributes;
}

/**
 * One send of many messages, each in the trace of the work that wrote it: a `publish <topic>` span per
 * message, a child of that trace, whose context the message carries (`traceparent`), and around the send
 * a `kafka ack` span under each. A message the broker did not acknowledge marks both its spans failed.
 */
export class PublishTraces {
  private readonly publishes: (Span | undefined)[];

  constructor(topic: string, messages: readonly PublishedMessageTrace[]) {
    this.publishes = messages.map((message) =>
      message.traceparent
        ? tracer().startSpan(
            `publish ${topic}`,
            {
              kind: SpanKind.PRODUCER,
              attributes: {
                'messaging.system': 'kafka',
                'messaging.destination.name': topic,
                'messaging.message.id': message.messageId,
                ...message.attributes,
              },
            },
            contextOf(message.traceparent),
          )
        : undefined,
    );
  }

  /** The context message `index` carries in its headers: its publish span's. */
  traceparent(index: number): string | undefined {
    const publish = this.publishes[index];
    return publish ? traceparentOf(trace.setSpan(ROOT_CONTEXT, publish)) : undefined;
  }

  /** Runs the send inside the `kafka ack` spans and ends every span by what the broker acknowledged. */
  async acknowledged<T extends { acknowledged: boolean[]; error?: unknown }>(send: () => Promise<T>): Promise<T> {
    const acks = this.publishes.map((span) =>
      span ? tracer().startSpan('kafka ack', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, span)) : undefined,
    );
    const outcome = await send();
    this.publishes.forEach((publish, index) => {
      if (outcome.acknowledged[index]) return;
      for (const span of [acks[index], publish])
        span?.setStatus({ code: SpanStatusCode.ERROR, message: String(outcome.error) });
    });
    for (const span of [...acks, ...this.publishes]) span?.end();
    return outcome;
  }
}
