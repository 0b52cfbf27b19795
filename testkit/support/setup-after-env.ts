import 'reflect-metadata';
import { patchKafkajs } from '@redpacket/kafka';

// Real infrastructure: generous per-test budget; tests still wait on conditions, never on sleeps.
jest.setTimeout(120_000);
patchKafkajs();
