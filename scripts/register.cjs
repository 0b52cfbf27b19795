// Runs TypeScript sources directly (decorator metadata included) for scripts and local app starts.
// Kafkajs on Node 24 emits a harmless TimeoutNegativeWarning per connection (kafkajs #1751);
// it is filtered in libs/kafka, not here, so production builds behave the same.
require('@swc-node/register');
