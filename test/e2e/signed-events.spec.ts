import { randomUUID } from 'node:crypto';
import {
  EVENT_HEADERS,
  EventSigner,
  generateEventKeyPair,
  type OrderPurchasedV1,
  privateKeyFrom,
} from '@redpacket/contracts';
import { DEAD_LETTER_HEADERS } from '@redpacket/rewards';
import type { Message } from 'kafkajs';
import { asMessage } from '../../testkit/support/events';
import { SIGNED_EVENTS_ENV, TEST_EVENT_SIGNER } from '../../testkit/support/event-keys';
import { testProducer } from '../../testkit/support/kafka.helpers';
import { TopicReader } from '../../testkit/support/topic-reader';
import { invariantsHeld, measureOutcome } from '../../testkit/system/outcome';
import { type PlacedOrder, SystemUnderTest } from '../../testkit/system/system';

jest.setTimeout(300_000);

/** The event the order service wrote for an order, as its outbox row holds it. */
async function eventOf(system: SystemUnderTest, orderId: string): Promise<OrderPurchasedV1> {
  const [row] = await system.dataSource.query<{ payload: OrderPurchasedV1 }[]>(
    `SELECT payload FROM ordering.outbox WHERE payload->>'orderId' = $1`,
    [orderId],
  );
  return row.payload;
}

/** Deletes the order's outbox row before any relay publishes it: its event never reaches Kafka. */
async function loseEventOf(system: SystemUnderTest, orderId: string): Promise<void> {
  await system.dataSource.query(`DELETE FROM ordering.outbox WHERE payload->>'orderId' = $1`, [orderId]);
}

async function packetsOf(system: SystemUnderTest, orderId: string): Promise<{ amount_cents: string }[]> {
  return system.dataSource.query(`SELECT amount_cents FROM rewards.red_packets WHERE order_id = $1`, [orderId]);
}

describe('events that prove their writer', () => {
  let system: SystemUnderTest;
  afterEach(async () => {
    await system?.stop();
  });

  it('pays only what the order service signed, with keys rotating; a forged event pays nothing, and the order it claimed is paid by a reissue', async () => {
    system = new SystemUnderTest('inbox-tx');
    await system.start();
    // The order service signs with a new key, k2; the reward service trusts it and the old one (rotation).
    const rotated = generateEventKeyPair('k2');
    const signing = { EVENT_SIGNING_KEY: rotated.privateKey, EVENT_SIGNING_KEY_ID: 'k2' };
    const rewards = await system.startApp('reward-service', {
      EVENT_VERIFY_KEYS: `${SIGNED_EVENTS_ENV.EVENT_VERIFY_KEYS},${rotated.publicKeys}`,
    });
    await system.waitForRewardMembers(1);
    // First without a relay: two orders whose events never leave (one to be forged, one sent with the old key).
    const quiet = await system.startApp('order-service', { ...signing, OUTBOX_RELAY_ENABLED: 'false' });
    const threeMugs = (userId: string) => ({ userId, quantity: 3, sku: 'MUG' });
    const [claimed, oldKey] = await system.placeOrders(quiet, [
      threeMugs(`${system.userPrefix}-claimed`),
      threeMugs(`${system.userPrefix}-old-key`),
    ]);
    const oldKeyEvent = await eventOf(system, oldKey.orderId);
    const claimedEvent = await eventOf(system, claimed.orderId);
    await loseEventOf(system, claimed.orderId);
    await loseEventOf(system, oldKey.orderId);
    const orders = await system.startApp('order-service', signing);

    const topic = await TopicReader.start(system.kafka, system.topic, `${system.namespace}.signed-reader`);
    const deadLetters = await TopicReader.start(system.kafka, system.deadLetterTopic, `${system.namespace}.dlq`);
    let real: PlacedOrder[];
    try {
      real = await system.placeOrders(
        orders,
        [0, 1, 2, 3].map((i) => threeMugs(`${system.userPrefix}-real${i}`)),
      );
      await topic.waitFor('the real orders’ events', (messages) => messages.length >= real.length);
    } finally {
      await topic.stop();
    }
    const copied = topic.messages[0];
    expect(copied.headers?.['signature-key-id']?.toString()).toBe('k2');

    // As the Kafka super user, who may write the topic but holds no signing key.
    const forgerKey = new EventSigner('k2', privateKeyFrom(generateEventKeyPair('k2').privateKey));
    const unknownKey = new EventSigner('forger', privateKeyFrom(generateEventKeyPair('forger').privateKey));
    const forged: { what: string; message: Message }[] = [
      {
        what: 'an order that does not exist, unsigned',
        message: asMessage({ ...claimedEvent, eventId: randomUUID(), orderId: randomUUID() }, {}, null),
      },
      {
        what: 'a real order with a made-up total, signed with a key of the same id',
        message: asMessage({ ...claimedEvent, totalCents: 9_999_999 }, {}, forgerKey),
      },
      {
        what: 'a real event copied with one field changed',
        message: {
          key: copied.key,
          value: JSON.stringify({ ...JSON.parse(String(copied.value)), totalCents: 9_999_999 }),
          headers: { ...copied.headers, [EVENT_HEADERS.eventId]: randomUUID() },
        },
      },
      {
        what: 'the real order, signed with a key nobody trusts',
        message: asMessage(claimedEvent, {}, unknownKey),
      },
    ];
    const producer = testProducer();
    await producer.connect();
    try {
      for (const { message } of forged) await producer.send(system.topic, [message]);
      // The order whose event was lost, sent as the order service signed it before the key rotated.
      await producer.send(system.topic, [asMessage(oldKeyEvent, {}, TEST_EVENT_SIGNER)]);
      await system.waitForQuiescence();
      await deadLetters.waitFor('every forged event parked', (messages) => messages.length >= forged.length);
    } finally {
      await Promise.all([producer.disconnect(), deadLetters.stop()]);
    }

    const parked = deadLetters.messages.map((m) => ({
      code: m.headers?.[DEAD_LETTER_HEADERS.errorCode]?.toString(),
      why: m.headers?.[DEAD_LETTER_HEADERS.errorMessage]?.toString(),
    }));
    expect(parked).toHaveLength(forged.length);
    expect(parked.map((p) => p.code)).toEqual(forged.map(() => 'INVALID_SIGNATURE'));
    expect(parked.map((p) => p.why).sort()).toEqual(
      [
        'no public key "forger" is trusted',
        'the event is not signed',
        'the signature does not verify with key k2',
        'the signature does not verify with key k2',
      ].sort(),
    );
    expect(await packetsOf(system, claimed.orderId)).toEqual([]);
    expect(await packetsOf(system, oldKey.orderId)).toHaveLength(1);

    // The claimed order was real: the reconciler decides it from the order service's own table.
    const cli = await system.reconcile();
    expect((await cli.exited).code).toBe(0);
    const [packet] = await packetsOf(system, claimed.orderId);
    const [truth] = await packetsOf(system, real[0].orderId);
    expect(packet.amount_cents).toBe(truth.amount_cents);

    const outcome = await measureOutcome(system);
    expect(outcome).toMatchObject(invariantsHeld(forged.length));
    expect({ orders: outcome.orders, granted: outcome.granted }).toEqual({ orders: 6, granted: 6 });
    const ready = await fetch(`${rewards.url}/health/ready`);
    expect(ready.status).toBe(200);
  });
});
