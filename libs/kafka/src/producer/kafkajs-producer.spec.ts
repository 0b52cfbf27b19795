import type { Kafka, Producer } from 'kafkajs';
import { KafkajsEventProducer } from './kafkajs-producer';
import { TrackedEventProducer } from './tracked-producer';

/** A kafkajs producer that plays one script: how its connect and its sends end. */
function scriptedProducer(script: { connect?: Error; send?: Error }): Producer {
  return {
    connect: () => (script.connect ? Promise.reject(script.connect) : Promise.resolve()),
    disconnect: () => Promise.resolve(),
    send: () =>
      script.send
        ? Promise.reject(script.send)
        : Promise.resolve([{ topicName: 'orders', partition: 0, errorCode: 0, baseOffset: '7' }]),
  } as unknown as Producer;
}

/** A client whose producers, one after another, play the scripts given. */
function clientOf(...scripts: { connect?: Error; send?: Error }[]): { kafka: Kafka; made: () => number } {
  let made = 0;
  const kafka = { producer: () => scriptedProducer(scripts[made++] ?? {}) } as unknown as Kafka;
  return { kafka, made: () => made };
}

const brokenSession = Object.assign(new Error('The broker lost this producer'), { type: 'UNKNOWN_PRODUCER_ID' });
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('KafkajsEventProducer after a broken producer session', () => {
  it('keeps renewing the session until a new producer connects, then sends again', async () => {
    const { kafka, made } = clientOf({ send: brokenSession }, { connect: refused }, { connect: refused }, {});
    const producer = new KafkajsEventProducer(kafka);
    await producer.connect();

    await expect(producer.send('orders', [{ value: 'a' }])).rejects.toBe(brokenSession);
    await expect(producer.send('orders', [{ value: 'a' }])).rejects.toBe(refused);
    await expect(producer.send('orders', [{ value: 'a' }])).rejects.toBe(refused);
    await expect(producer.send('orders', [{ value: 'a' }])).resolves.toEqual([
      { topic: 'orders', partition: 0, baseOffset: '7' },
    ]);
    expect(made()).toBe(4);
  });

  it('renews nothing after an error that leaves the session whole', async () => {
    const timeout = Object.assign(new Error('Request timed out'), { type: 'REQUEST_TIMED_OUT' });
    const { kafka, made } = clientOf({ send: timeout });
    const producer = new KafkajsEventProducer(kafka);
    await producer.connect();
    await expect(producer.send('orders', [{ value: 'a' }])).rejects.toBe(timeout);
    expect(made()).toBe(1);
  });
});

describe('TrackedEventProducer', () => {
  it('says how long its sends have failed in a row, and 0 once one succeeds', async () => {
    const { kafka } = clientOf({ send: brokenSession }, {});
    const producer = new TrackedEventProducer(new KafkajsEventProducer(kafka));
    await producer.connect();
    expect(producer.failingForMs()).toBe(0);
    await expect(producer.send('orders', [{ value: 'a' }])).rejects.toBe(brokenSession);
    expect(producer.failingForMs(Date.now() + 5_000)).toBeGreaterThanOrEqual(5_000);
    await producer.send('orders', [{ value: 'a' }]);
    expect(producer.failingForMs()).toBe(0);
  });
});
