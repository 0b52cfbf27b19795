declare module 'kafkajs/src/network/requestQueue' {
  const RequestQueue: new (...args: unknown[]) => object;
  export default RequestQueue;
}

declare module 'kafkajs/src/cluster' {
  const Cluster: new (...args: unknown[]) => object;
  export default Cluster;
}

declare module 'kafkajs/src/consumer/consumerGroup' {
  const ConsumerGroup: new (...args: unknown[]) => object;
  export default ConsumerGroup;
}

declare module 'kafkajs/src/consumer/offsetManager' {
  const OffsetManager: new (...args: unknown[]) => object;
  export default OffsetManager;
}

declare module 'kafkajs/src/protocol/error' {
  export const errorCodes: ReadonlyArray<{ type: string; code: number; retriable: boolean; message: string }>;
}
