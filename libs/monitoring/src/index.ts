export * from './consumer-lag/consumer-lag';
export * from './consumer-lag/lag-table';
export * from './probes/pending-probes';
export * from './probes/probe-alerter';
export * from './probes/probe-delay-recorder';
export * from './probes/probe-message';
export * from './probes/probe-reader';
export * from './probes/probe-writer';
