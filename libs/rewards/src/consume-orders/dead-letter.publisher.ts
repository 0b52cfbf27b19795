import type { ErrorClassification } from '@redpacket/errors';
import type { ConsumedMessage, EventProducer, MessagePosition } from '@redpacket/kafka';

export const DEAD_LETTER_HEADERS = {
  errorCode: 'dlq-error-code',
  errorMessage: 'dlq-error-message',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
} as const;

/**
 * Parks a message that can never be processed: original key, value and headers, plus why and where
 * from. The source position identifies a dead letter: a message redelivered after a crash may be
 * parked twice, and a reader that replays dead letters keys them by topic, partition and offset.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: EventProducer,
    private readonly deadLetterTopic: string,
  ) {}

  async publish(source: MessagePosition, message: ConsumedMessage, why: ErrorClassification, error: unknown) {
    await this.producer.send(this.deadLetterTopic, [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DEAD_LETTER_HEADERS.errorCode]: why.code,
          [DEAD_LETTER_HEADERS.errorMessage]: (error instanceof Error ? error.message : String(error)).slice(0, 1_000),
          [DEAD_LETTER_HEADERS.sourceTopic]: source.topic,
          [DEAD_LETTER_HEADERS.sourcePartition]: String(source.partition),
          [DEAD_LETTER_HEADERS.sourceOffset]: source.offset,
        },
      },
    ]);
  }
}
