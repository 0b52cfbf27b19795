import type { LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/**
 * kafkajs warnings about choices this system makes on purpose, logged at debug: not a problem to look into.
 * - Every idempotent producer's retries are bounded (OUTBOX_SEND_RETRIES): a send that fails is tried again
 *   by the outbox relay, from the rows it keeps, and the consumer absorbs a duplicate. kafkajs warns at each
 *   producer's creation that limiting retries "may invalidate EoS guarantees".
 */
const DELIBERATE = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/**
 * kafkajs logs every error answer of a broker at error level before the caller sees it. Apps that boot
 * together race to create the same topics, and all but one are told TOPIC_ALREADY_EXISTS, which kafkajs'
 * createTopics then takes as success; any other answer is thrown to the topic bootstrap, which fails the
 * boot with it. So CreateTopics answers are logged at debug.
 */
function answeredToCaller(message: string, fields: Record<string, unknown>): boolean {
  return message.startsWith('Response CreateTopics(') && fields.error === 'Topic creation errors';
}

/** Routes kafkajs logs into the app's logger, keeping kafkajs' structured fields. */
export function kafkaLogCreator(logger: LoggerService): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      // kafkajs' own `timestamp` and `logger` repeat the record's `time` and say nothing new.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const entry = { ...fields, kafkajs: namespace };
      if ((level === logLevel.WARN && DELIBERATE.has(message)) || answeredToCaller(message, fields)) {
        logger.debug?.(message, entry);
        return;
      }
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
  if (level === 'silent') return logLevel.NOTHING;
  return level === 'debug' ? logLevel.INFO : level === 'error' ? logLevel.ERROR : logLevel.WARN;
}
