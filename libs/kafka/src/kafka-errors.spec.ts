import { breaksProducerSession, failsOnePartition, kafkaErrorType } from './kafka-errors';

describe('kafka error helpers', () => {
  it('reads the type from the error or from the cause a retry wrapped', () => {
    expect(kafkaErrorType({ type: 'REBALANCE_IN_PROGRESS' })).toBe('REBALANCE_IN_PROGRESS');
    expect(kafkaErrorType({ name: 'KafkaJSNonRetriableError', cause: { type: 'UNKNOWN_MEMBER_ID' } })).toBe(
      'UNKNOWN_MEMBER_ID',
    );
    expect(kafkaErrorType(new Error('plain'))).toBe('');
    expect(kafkaErrorType(undefined)).toBe('');
  });

  it("reads @platformatic/kafka's apiId, on the error, its cause or inside an aggregate", () => {
    expect(kafkaErrorType({ code: 'PLT_KFK_PROTOCOL', apiId: 'NOT_LEADER_OR_FOLLOWER' })).toBe(
      'NOT_LEADER_OR_FOLLOWER',
    );
    expect(kafkaErrorType({ code: 'PLT_KFK_USER', cause: { apiId: 'UNKNOWN_PRODUCER_ID' } })).toBe(
      'UNKNOWN_PRODUCER_ID',
    );
    const aggregate = new AggregateError([new Error('network'), { apiId: 'REBALANCE_IN_PROGRESS' }], 'failed');
    expect(kafkaErrorType(aggregate)).toBe('REBALANCE_IN_PROGRESS');
  });

  it('knows which errors need a new producer session', () => {
    expect(breaksProducerSession({ cause: { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' } })).toBe(true);
    expect(breaksProducerSession({ type: 'UNKNOWN_PRODUCER_ID' })).toBe(true);
    expect(breaksProducerSession({ type: 'REQUEST_TIMED_OUT' })).toBe(false);
  });

  it("tells a partition's failure from a connection's: only the first is worth sending partition by partition", () => {
    expect(failsOnePartition({ name: 'KafkaJSNumberOfRetriesExceeded', cause: { type: 'NOT_ENOUGH_REPLICAS' } })).toBe(
      true,
    );
    expect(failsOnePartition({ name: 'KafkaSendError', type: 'NOT_LEADER_OR_FOLLOWER' })).toBe(true);
    expect(failsOnePartition({ code: 'UNACKNOWLEDGED_PARTITIONS' })).toBe(true);
    expect(failsOnePartition({ name: 'KafkaJSConnectionError', code: 'ECONNRESET' })).toBe(false);
    expect(failsOnePartition(Object.assign(new Error('no broker reachable'), { code: 'NETWORK_ERROR' }))).toBe(false);
  });
});
