/**
 * The service transactions, statement for statement, as pgbench custom scripts. TypeORM opens a
 * transaction with two round trips (START TRANSACTION, then SET TRANSACTION ISOLATION LEVEL), so the
 * grant script does too. Ids derive from a random key (md5 → uuid) so that no extra round trip makes them.
 */

/**
 * libs/ordering place-order.service.ts: one call of `ordering.place_order` (migration 9), sent on its own so
 * that it is its own transaction, as the service sends it. Its 1,000 customers are shared by every
 * client, as the load generator's are.
 */
export function placeOrderScript(topic: string): string {
  const key = `'pgb-' || :client_id || '-' || :k`;
  const userId = `'pgb-u' || :u`;
  return lines(
    '\\set k random(1, 1000000000000000)',
    '\\set u random(1, 1000)',
    `SELECT ordering.place_order(${userId}, ${key}, md5(${key}), 86400, md5('o-' || ${key})::uuid, md5('e-' || ${key})::uuid, '${topic}', 'ordering_outbox', ARRAY['MUG'], ARRAY[3], false, NULL);`,
  );
}

/**
 * libs/rewards inbox-transaction.strategy.ts: processed-message insert, packet insert, wallet
 * ensure + select + version-guarded update, outbox insert + notify. Each client owns its users,
 * so the version guard never loses (a ceiling: no optimistic retries).
 */
export function grantScript(topic: string, usersPerClient = 50): string {
  const eventId = `md5('e-' || :client_id || '-' || :k)::uuid`;
  const orderId = `md5('o-' || :client_id || '-' || :k)::uuid`;
  const packetId = `md5('p-' || :client_id || '-' || :k)::uuid`;
  const userId = `'pgb-' || :client_id || '-' || :u`;
  return lines(
    '\\set k random(1, 1000000000000000)',
    `\\set u random(1, ${usersPerClient})`,
    'START TRANSACTION;',
    'SET TRANSACTION ISOLATION LEVEL READ COMMITTED;',
    `INSERT INTO rewards.processed_messages (consumer_group, event_id) VALUES ('pgbench', ${eventId}) ON CONFLICT DO NOTHING RETURNING 1;`,
    `INSERT INTO rewards.red_packets (packet_id, order_id, user_id, amount_cents, source, event_id) VALUES (${packetId}, ${orderId}, ${userId}, 250, 'event', ${eventId}) ON CONFLICT (order_id) DO NOTHING RETURNING packet_id, granted_at;`,
    `INSERT INTO rewards.wallets (user_id) VALUES (${userId}) ON CONFLICT (user_id) DO NOTHING;`,
    `SELECT balance_cents, version FROM rewards.wallets WHERE user_id = ${userId} \\gset`,
    `UPDATE rewards.wallets SET balance_cents = balance_cents + 250, version = version + 1, updated_at = now() WHERE user_id = ${userId} AND version = :version;`,
    `INSERT INTO rewards.outbox (event_id, topic, message_key, event_type, schema_version, payload) VALUES (md5('g-' || :client_id || '-' || :k)::uuid, '${topic}', ${userId}, 'RedPacketGranted', 1, jsonb_build_object('packetId', ${packetId}, 'orderId', ${orderId}, 'userId', ${userId}, 'amountCents', 250, 'source', 'event', 'grantedAt', now()));`,
    `SELECT pg_notify('rewards_outbox', '');`,
    'COMMIT;',
  );
}

function lines(...statements: string[]): string {
  return statements.join('\n') + '\n';
}
