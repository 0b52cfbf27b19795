import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import {
  type AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  ResourcePatternTypes,
} from 'kafkajs';

/** The principals of the system, by role; each app authenticates as its own. */
export const KAFKA_PRINCIPALS = {
  /** Super user: creates users' ACLs and topics; no app runs as it. */
  admin: 'redpacket-admin',
  'order-service': 'order-service',
  'reward-service': 'reward-service',
  monitor: 'monitor',
  reconciler: 'reconciler',
} as const;

export type KafkaPrincipal = keyof typeof KAFKA_PRINCIPALS;
export type AppPrincipal = Exclude<KafkaPrincipal, 'admin'>;

type Operation = 'READ' | 'WRITE' | 'CREATE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS';

/** One allow rule, readable: who may do what to which topic or group. */
export interface AccessRule {
  principal: string;
  resource: 'topic' | 'group';
  name: string;
  operation: Operation;
}

/**
 * What each principal may do in a namespace. Nothing else is allowed: the broker refuses whatever no
 * rule names (`allow.everyone.if.no.acl.found=false`).
 * - the order service alone writes `order.purchased` (its relay), so only it can say an order was
 *   purchased; the monitor's probes go into that topic through the order service, over HTTP;
 * - the reward service reads `order.purchased` in its group and writes its dead letters and its granted
 *   events (its relay sends the reconciler's reissues too);
 * - the monitor writes nothing. It reads `order.purchased` in its own group to see the probes, and
 *   describes the reward service's group to read its lag and commits;
 * - the reconciler reads `order.purchased`'s retention (its dedup window must outlast it) and writes nothing:
 *   its reissues go through the rewards outbox, which the reward service relays;
 * - every app may describe the system's topics, and create them when missing, which writes nothing.
 */
export function systemAccessRules(namespace: string, users: Partial<Record<AppPrincipal, string>> = {}): AccessRule[] {
  const user = (role: AppPrincipal) => `User:${users[role] ?? KAFKA_PRINCIPALS[role]}`;
  const topic = {
    orders: namespaced(namespace, TOPICS.orderPurchased),
    deadLetters: namespaced(namespace, TOPICS.orderPurchasedDeadLetter),
    granted: namespaced(namespace, TOPICS.redPacketGranted),
  };
  const group = {
    rewards: namespaced(namespace, CONSUMER_GROUPS.rewardService),
    monitor: namespaced(namespace, CONSUMER_GROUPS.monitor),
  };
  const rule = (role: AppPrincipal, resource: AccessRule['resource'], name: string, operation: Operation) => ({
    principal: user(role),
    resource,
    name,
    operation,
  });
  const apps: AppPrincipal[] = ['order-service', 'reward-service', 'monitor', 'reconciler'];
  return [
    ...apps.flatMap((role) =>
      Object.values(topic).flatMap((name) => [
        rule(role, 'topic', name, 'DESCRIBE'),
        rule(role, 'topic', name, 'CREATE'),
      ]),
    ),
    rule('order-service', 'topic', topic.orders, 'WRITE'),
    rule('reward-service', 'topic', topic.orders, 'READ'),
    rule('reward-service', 'group', group.rewards, 'READ'),
    rule('reward-service', 'topic', topic.deadLetters, 'WRITE'),
    rule('reward-service', 'topic', topic.granted, 'WRITE'),
    rule('monitor', 'topic', topic.orders, 'READ'),
    rule('monitor', 'group', group.monitor, 'READ'),
    rule('monitor', 'group', group.rewards, 'DESCRIBE'),
    // The dedup window must outlast the topic's retention: the reconciler reads it at boot.
    rule('reconciler', 'topic', topic.orders, 'DESCRIBE_CONFIGS'),
  ];
}

export function toAclEntry(rule: AccessRule): AclEntry {
  return {
    principal: rule.principal,
    host: '*',
    resourceType: rule.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
    resourceName: rule.name,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    operation: AclOperationTypes[rule.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}

/** Grants the rules of a namespace (as a super user); granting again changes nothing. */
export async function grantSystemAccess(
  admin: Admin,
  namespace: string,
  users?: Partial<Record<AppPrincipal, string>>,
): Promise<AccessRule[]> {
  const rules = systemAccessRules(namespace, users);
  await admin.createAcls({ acl: rules.map(toAclEntry) });
  return rules;
}
