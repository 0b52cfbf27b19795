export * from './idle-backoff';
export * from './outbox-listener';
export * from './outbox-relay';
export * from './outbox.types';
export * from './outbox.writer';
export * from './outbox-relay.service';
export * from './outbox-relay-options';
export * from './purge-published';
