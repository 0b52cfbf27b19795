import type { IdempotentProducer } from '@redpacket/kafka';
import type { KafkaMessage } from 'kafkajs';

export const DEAD_LETTER_HEADERS = {
  errorCode: 'dlq-error-code',
  errorMessage: 'dlq-error-message',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
} as const;

/** Parks a message that can never be processed: original key, value and headers, plus why and where from. */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: IdempotentProducer,
    private readonly deadLetterTopic: string,
  ) {}

  async publish(source: { topic: string; partition: number; message: KafkaMessage }, code: string, error: unknown) {
    const { message } = source;
    await this.producer.send(this.deadLetterTopic, [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DEAD_LETTER_HEADERS.errorCode]: code,
          [DEAD_LETTER_HEADERS.errorMessage]: (error instanceof Error ? error.message : String(error)).slice(0, 1_000),
          [DEAD_LETTER_HEADERS.sourceTopic]: source.topic,
          [DEAD_LETTER_HEADERS.sourcePartition]: String(source.partition),
          [DEAD_LETTER_HEADERS.sourceOffset]: message.offset,
        },
      },
    ]);
  }
}
