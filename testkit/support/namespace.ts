import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

/** A unique prefix for the topics and consumer groups of one test file. */
export function testNamespace(testFile: string): string {
  const name = basename(testFile)
    .replace(/\.spec\.ts$/, '')
    .replace(/[^\w-]/g, '-');
  return `t-${name}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}
