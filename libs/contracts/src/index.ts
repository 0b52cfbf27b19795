export * from './contract.errors';
export * from './event-headers';
export * from './event-id';
export * from './order-purchased/order-limits';
export * from './order-purchased/order-purchased.v1';
export * from './order-purchased/parse-order-purchased';
export * from './topics';
export * from './red-packet-granted/red-packet-granted.v1';
