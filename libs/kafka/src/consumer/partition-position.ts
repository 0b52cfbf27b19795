/** One partition of one topic. */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
}

/** One message's place in the log. */
export interface MessagePosition extends PartitionPosition {
  readonly offset: string;
}

export function atOffset(position: PartitionPosition, offset: string): MessagePosition {
  return { topic: position.topic, partition: position.partition, offset };
}
