export * from './idempotent-producer';
export * from './kafka-client.factory';
export * from './kafka-logger';
export * from './kafka.module';
export * from './node-warnings';
export * from './topic-bootstrap';
export * from './system-topics';
export * from './kafka-admin.service';
