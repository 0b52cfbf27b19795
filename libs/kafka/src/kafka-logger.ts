import type { LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** Routes kafkajs logs into the app's logger, keeping kafkajs' structured fields. */
export function kafkaLogCreator(logger: LoggerService): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      // kafkajs' own `timestamp` and `logger` repeat the record's `time` and say nothing new.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const entry = { ...fields, kafkajs: namespace };
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          logger.error(message, entry);
          return;
        case logLevel.WARN:
          logger.warn(message, entry);
          return;
        case logLevel.INFO:
          logger.log(message, entry);
          return;
        case logLevel.DEBUG:
          logger.debug?.(message, entry);
          return;
      }
    };
}

export function toKafkaLogLevel(level: string): logLevel {
  return level === 'debug' ? logLevel.INFO : level === 'error' ? logLevel.ERROR : logLevel.WARN;
}
