import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type DynamicModule, type LoggerService, RequestMethod } from '@nestjs/common';
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
  return LoggerModule.forRoot(loggerParams(level));
}

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
  const http: HttpLogOptions = {
    ...logOptions(level),
    // One line per request would cost more than the request at benchmark rates; the metrics count
    // requests. What a request logs carries its id: Fastify's, from `requestId` below.
    autoLogging: false,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
  };
  return {
    pinoHttp: [http, redacting(process.stdout)],
    // nestjs-pino's default route pattern matches nothing under the Fastify adapter; this one matches every path.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
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
    mixin: activeTraceId,
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map((arg) => redactValue(arg)) as Parameters<typeof method>);
      },
    },
    // No pino `redact` paths: no request or its headers is ever logged (quietReqLogger), and the paths
    // cost 2.7 % of the order service's CPU per request in the REST bench's profile, for every child
    // logger a request gets. Secrets are taken out of the finished line instead (`redacting`).
  };
}

function activeTraceId(): { traceId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { traceId: span.traceId } : {};
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
