declare module 'kafkajs/src/network/requestQueue' {
  const RequestQueue: new (...args: unknown[]) => object;
  export default RequestQueue;
}
