import type { LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { errorCodes } from 'kafkajs/src/protocol/error';

/**
 * kafkajs warnings about choices this system makes on purpose, logged at debug: not a problem to look into.
 * - Every idempotent producer's retries are bounded (OUTBOX_SEND_RETRIES): a send that fails is tried again
 *   by the outbox relay, from the rows it keeps, and the consumer absorbs a duplicate. kafkajs warns at each
 *   producer's creation that limiting retries "may invalidate EoS guarantees".
 */
const DELIBERATE = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/** The broker's answers that mean "ask again": leadership or coordination is moving, a replica is catching up. */
const RETRIABLE_ANSWERS = new Set(errorCodes.filter((code) => code.retriable).map((code) => code.message));

/**
 * kafkajs logs every error answer of a broker at error level, then throws it to its caller. Two kinds are
 * the caller's to judge, so they are logged at debug:
 * - a retriable answer (a partition without a leader yet, a coordinator that moved): kafkajs refreshes its
 *   metadata and asks again, and only if its retries run out does the caller see the error and report it;
 * - a CreateTopics answer: apps that boot together race to create the same topics, all but one are told
 *   TOPIC_ALREADY_EXISTS, which createTopics takes as success, and any other answer fails the boot.
 */
function answeredToCaller(message: string, fields: Record<string, unknown>): boolean {
  if (!message.startsWith('Response ')) return false;
  if (typeof fields.error === 'string' && RETRIABLE_ANSWERS.has(fields.error)) return true;
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
