export * from './consumer-lag/consumer-lag';
export * from './consumer-lag/lag-table';
