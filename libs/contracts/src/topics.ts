/** Topic and consumer-group names. A namespace prefix isolates environments and test files. */
export const TOPICS = {
  orderPurchased: 'order.purchased',
  orderPurchasedDeadLetter: 'order.purchased.dlq',
  redPacketGranted: 'reward.red-packet-granted',
} as const;

export const CONSUMER_GROUPS = {
  rewardService: 'reward-service',
  monitor: 'monitor',
} as const;

export function namespaced(namespace: string, name: string): string {
  return namespace ? `${namespace}.${name}` : name;
}
