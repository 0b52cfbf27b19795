import 'reflect-metadata';
import { ignoreKafkajsTimeoutWarning } from '@redpacket/kafka';

// Real infrastructure: generous per-test budget; tests still wait on conditions, never on sleeps.
jest.setTimeout(120_000);
ignoreKafkajsTimeoutWarning();
