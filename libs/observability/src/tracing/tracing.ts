import { appendFileSync } from 'node:fs';
import type { TraceExporterName } from '@redpacket/config';
import {
  context,
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type ExportResult, ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type ReadableSpan,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  serviceName: string;
  exporter: TraceExporterName;
  /** For `file`: spans are appended there, one JSON object per line. */
  file?: string;
  /** For `otlp`: the collector's traces URL; otherwise the exporter's own default or OTEL_EXPORTER_OTLP_* variables. */
  otlpUrl?: string;
}

export interface Tracing {
  /** Exports what is buffered and stops: called as the app closes, so no span of its last work is lost. */
  shutdown(): Promise<void>;
}

/** The one tracer of the system: spans name the step, attributes carry the ids. */
export function tracer(): Tracer {
  return trace.getTracer('redpacket');
}

/**
 * Starts tracing for this process. With `none` nothing is registered: every span the code starts is
 * the API's no-op, so tracing off costs a function call per step and writes no trace context.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (options.exporter === 'none') return { shutdown: () => Promise.resolve() };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter: exporterOf(options), scheduledDelayMillis: 200 })],
  });
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}

function exporterOf(options: TracingOptions): SpanExporter {
  switch (options.exporter) {
    case 'otlp':
      return new OTLPTraceExporter(options.otlpUrl ? { url: options.otlpUrl } : {});
    case 'console':
      return new ConsoleSpanExporter();
    default:
      if (!options.file) throw new Error('TRACING_EXPORTER=file needs TRACING_FILE');
      return new JsonLinesSpanExporter(options.file);
  }
}

/**
 * Runs `work` in a span of its own, active for everything `work` awaits, child of `parent` (the active
 * context by default). The span ends when `work` does; a throw marks it failed, and is rethrown.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The trace context of `ctx` (the active one by default) as a W3C `traceparent`, or undefined when no
 * span is recording: what the outbox stores with an event and the relay sends in its Kafka headers.
 */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a stored or received `traceparent` continues; the root context when there is none. */
export function contextOf(traceparent: string | undefined | null): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** A span as one line of JSON: the ids, the parent, the times in ms since the epoch, the attributes. */
export interface SpanRecord {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}

/** For development and tests: spans appended to a file, where a test (or `jq`) can read whole traces. */
export class JsonLinesSpanExporter implements SpanExporter {
  constructor(private readonly file: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      appendFileSync(this.file, spans.map((span) => JSON.stringify(toRecord(span)) + '\n').join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function toRecord(span: ReadableSpan): SpanRecord {
  const ms = ([seconds, nanos]: [number, number]) => seconds * 1_000 + nanos / 1e6;
  return {
    service: String(span.resource.attributes['service.name']),
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    ...(span.parentSpanContext ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    startMs: ms(span.startTime),
    endMs: ms(span.endTime),
    attributes: { ...span.attributes },
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  };
}
