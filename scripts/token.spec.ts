import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import {
  CUSTOMER_TOKEN_AUDIENCE,
  CUSTOMER_TOKEN_ISSUER,
  DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
} from '../libs/platform/src/auth/sign-customer-token';

const run = promisify(execFile);
const token = (...args: string[]) =>
  run(process.execPath, ['-r', './scripts/register.cjs', 'scripts/token.ts', ...args], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, NODE_ENV: 'development' },
  });

describe('npm run token', () => {
  it("prints a customer token for the user, signed with the run's secret", async () => {
    const { stdout } = await token('user-7');
    const secret = new TextEncoder().encode(process.env.AUTH_JWT_SECRET || DEVELOPMENT_CUSTOMER_TOKEN_SECRET);
    const { payload } = await jwtVerify(stdout.trim(), secret, {
      issuer: CUSTOMER_TOKEN_ISSUER,
      audience: CUSTOMER_TOKEN_AUDIENCE,
    });
    expect(payload.sub).toBe('user-7');
  });

  it('refuses a user id that no order could carry, with exit code 2', async () => {
    await expect(token('not a user')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('userId must be'),
    });
  });
});
