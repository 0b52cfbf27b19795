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
          return logger.error(message, fields, context);
        case logLevel.WARN:
          return logger.warn(message, fields, context);
        case logLevel.INFO:
          return logger.log(message, fields, context);
        case logLevel.DEBUG:
          return logger.debug?.(message, fields, context);
      }
    };
}

export function toKafkaLogLevel(level: string): logLevel {
  return level === 'debug' ? logLevel.INFO : level === 'error' ? logLevel.ERROR : logLevel.WARN;
}
