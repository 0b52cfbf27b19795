import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const { scripts } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('the npm scripts', () => {
  it('run under Node 24', () => {
    // Whichever `node` started `npm test`: the script put Node 24 first.
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('start every command that runs code through scripts/node24-run.sh (system through system.sh)', () => {
    const commands = Object.entries(scripts).flatMap(([name, script]) =>
      script.split('&&').map((command) => ({ name, command: command.trim().replace(/^(\w+=\S+ )+/, '') })),
    );
    const direct = commands.filter(
      ({ name, command }) =>
        !command.startsWith('bash scripts/node24-run.sh ') &&
        !(name === 'system' && command === 'bash scripts/system.sh') &&
        !command.startsWith('cp '),
    );
    expect(direct).toEqual([]);
  });
});
