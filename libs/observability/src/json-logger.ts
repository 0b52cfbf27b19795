import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { type LogLevelName, redactSecrets } from '@redpacket/config';

const ENABLED_LEVELS: Record<LogLevelName, LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/**
 * One JSON object per line. Structured fields given after the message
 * (`logger.log('packet granted', { eventId, orderId })`) land at the top level of the record.
 */
export function createJsonLogger(level: LogLevelName = 'info', context?: string): ConsoleLogger {
  const options = { json: true, logLevels: ENABLED_LEVELS[level], structuredParams: true, flattenParams: true };
  return context ? new RedactingLogger(context, options) : new RedactingLogger(options);
}

/**
 * Every line goes through `redactSecrets`: no secret of the configuration, no password in a URL. A line
 * written inside a recording span (tracing on) carries its `traceId`, so a log line leads to its trace.
 */
class RedactingLogger extends ConsoleLogger {
  protected override stringifyJsonLogObject(logObject: Record<string, unknown>): string {
    const span = trace.getActiveSpan()?.spanContext();
    const traced = span && trace.isSpanContextValid(span) ? { ...logObject, traceId: span.traceId } : logObject;
    return redactSecrets(super.stringifyJsonLogObject(traced));
  }
}
