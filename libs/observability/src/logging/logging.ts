import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  type DynamicModule,
  type LoggerService,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { type LogLevelName, redactSecrets, redactValue } from '@redpacket/config';
import { LoggerModule, NativeLogger, type Params, PinoLogger } from 'nestjs-pino';
import { type DestinationStream, type LoggerOptions, pino, stdTimeFunctions } from 'pino';
import type { Options as HttpLogOptions } from 'pino-http';

/** The Nest logger every app uses once it is built: `app.get(NativeLogger)`. */
export { NativeLogger };

/**
 * Logging is pino, through nestjs-pino, configured here once for every app and script.
 *
 * One JSON object per line: `level` as a name, `time`, `pid`, `context` (the class that logged),
 * `message`, and the structured fields given after the message at the top level of the record
 * (`logger.log('packet granted', { eventId, orderId })`). A line written inside a recording span
 * (tracing on) carries its `traceId`; one written while answering an HTTP request carries its
 * `requestId`. Secrets are taken out twice: from every value a line is made of, before it is
 * serialised (`redactValue`, so a secret is matched as it is, whatever JSON makes of its quotes and
 * backslashes), and from the finished line (`redactSecrets`), for what a library serialises itself.
 * No secret of the configuration, no password in a URL.
 */
export function loggingModule(level: LogLevelName): DynamicModule {
  return { module: RequestIdLogging, imports: [LoggerModule.forRoot(loggerParams(level))] };
}

/** The id of the request being answered, for every line written meanwhile (the `mixin` below). */
const currentRequest = new AsyncLocalStorage<string>();

/**
 * Runs the rest of each request in a scope that holds its id: Fastify's, which `requestId` below
 * chose. nestjs-pino would give each request a pino child logger instead (two, through pino-http), a
 * cost every request paid (6 % of the order service's CPU in the REST bench's profile) for lines that
 * few requests write.
 */
@Module({})
class RequestIdLogging implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((request: { id?: unknown }, _response: unknown, next: () => void) =>
        typeof request.id === 'string' ? currentRequest.run(request.id, next) : next(),
      )
      .forRoutes(EVERY_ROUTE);
  }
}

// nestjs-pino's default route pattern matches nothing under the Fastify adapter; this one matches every path.
const EVERY_ROUTE = { path: '{*splat}', method: RequestMethod.ALL };

/**
 * A Nest logger for what runs outside an app's module (boot, the CLI): the same pino instance and
 * format. The context is the last string argument, as with any Nest logger: `log('listening', { url }, 'order-service')`.
 */
export function createJsonLogger(level: LogLevelName = 'info'): LoggerService {
  const params = loggerParams(level);
  return new NativeLogger(new PinoLogger(params), params);
}

/** A boot failure, before any app exists: one fatal line on stderr, in the same format. */
export function logBootFailure(context: string, message: string): void {
  pino(logOptions('info'), redacting(process.stderr)).fatal({ context }, message);
}

/**
 * nestjs-pino keeps one root logger per process, built from the first parameters it sees. Every app
 * and script builds them here from the same configuration, so which one came first does not matter.
 */
function loggerParams(level: LogLevelName): Params {
  // No line per request: it would cost more than the request at benchmark rates; the metrics count requests.
  const http: HttpLogOptions = { ...logOptions(level), autoLogging: false };
  return {
    pinoHttp: [http, redacting(process.stdout)],
    // No pino-http middleware, and so no logger per request: what a request logs carries its id through
    // RequestIdLogging instead.
    forRoutes: [],
    // The same records Nest's JSON ConsoleLogger wrote: fields after the message merged into the line.
    nativeLogger: { structuredParams: true, flattenParams: true },
  };
}

function logOptions(level: LogLevelName): LoggerOptions {
  return {
    level,
    messageKey: 'message',
    base: { pid: process.pid },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: lineContext,
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map((arg) => redactValue(arg)) as Parameters<typeof method>);
      },
    },
    // No pino `redact` paths: no request or its headers is ever logged, and the paths cost 2.7 % of the
    // order service's CPU per request in the REST bench's profile when each request had its own child
    // logger. Secrets are taken out of the finished line instead (`redacting`).
  };
}

/** What every line carries besides its fields: the recording span's trace, the request being answered. */
function lineContext(): { traceId?: string; requestId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  const traceId = span && trace.isSpanContextValid(span) ? span.traceId : undefined;
  const requestId = currentRequest.getStore();
  return { ...(traceId ? { traceId } : {}), ...(requestId ? { requestId } : {}) };
}

/** Writes synchronously (stdout and stderr are, to a file or a pipe on Linux), so a crash loses no line. */
function redacting(stream: NodeJS.WriteStream): DestinationStream {
  return { write: (line: string) => void stream.write(redactSecrets(line)) };
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The id of a request (Fastify's `genReqId`): a caller's `x-request-id` when it is a plain token of at
 * most 128 characters, a new UUID otherwise, so a hostile header never reaches a log line.
 */
export function requestId(request: { headers: IncomingHttpHeaders }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
