import { failsOnePartition, type OutgoingMessage, routingOf, UnacknowledgedPartitionsError } from '@redpacket/kafka';
import type { EventSender } from './outbox.types';

export interface SendOutcome {
  /** Per message, in the order given: whether Kafka acknowledged it. */
  acknowledged: boolean[];
  /** Why the others were not, when some were not. */
  error?: Error;
}

/**
 * Sends the messages in one request. When Kafka acknowledged some partitions of it and not others (a
 * partition without a leader gets nothing), the acknowledged ones count as sent and only the others wait.
 * When the request fails with a broker's answer about a partition (too few in-sync replicas, a leader
 * that moved) and the messages were routed to several partitions, sends again partition by partition, so
 * one partition that cannot be written holds back only its own keys: the others' messages are acknowledged
 * and their rows marked published. A message sent twice this way is a duplicate the consumer absorbs; a
 * key's messages share one partition, so they are sent again together, in order.
 */
export async function sendPartitionByPartition(
  sender: EventSender,
  topic: string,
  messages: OutgoingMessage[],
): Promise<SendOutcome> {
  try {
    await sender.send(topic, messages);
    return { acknowledged: messages.map(() => true) };
  } catch (error) {
    const routing = routingOf(error);
    if (routing && error instanceof UnacknowledgedPartitionsError) {
      const unacknowledged = new Set(error.partitions);
      return { acknowledged: routing.map((partition) => !unacknowledged.has(partition)), error };
    }
    const partitions = [...new Set(routing)];
    // A connection that fails fails every partition: sending them one by one would only wait longer.
    if (!routing || partitions.length < 2 || !failsOnePartition(error))
      return { acknowledged: messages.map(() => false), error: error as Error };
    const acknowledged = messages.map(() => false);
    let failure = error as Error;
    for (const partition of partitions) {
      const indexes = routing.flatMap((routed, index) => (routed === partition ? [index] : []));
      try {
        await sender.send(
          topic,
          indexes.map((index) => ({ ...messages[index], partition })),
        );
        for (const index of indexes) acknowledged[index] = true;
      } catch (partitionError) {
        failure = partitionError as Error;
      }
    }
    return { acknowledged, error: failure };
  }
}
