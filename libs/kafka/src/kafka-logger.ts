import type { LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** Routes kafkajs logs into the app's logger, keeping kafkajs' structured fields. */
export function kafkaLogCreator(logger: LoggerService): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...fields } = log;
      const context = `kafkajs:${namespace}`;
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          logger.error(message, fields, context);
          return;
        case logLevel.WARN:
          logger.warn(message, fields, context);
          return;
        case logLevel.INFO:
          logger.log(message, fields, context);
          return;
        case logLevel.DEBUG:
          logger.debug?.(message, fields, context);
          return;
      }
    };
}

export function toKafkaLogLevel(level: string): logLevel {
  return level === 'debug' ? logLevel.INFO : level === 'error' ? logLevel.ERROR : logLevel.WARN;
}
