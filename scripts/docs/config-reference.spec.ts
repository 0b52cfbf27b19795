import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { CONFIG_REFERENCE_FILE, renderConfigReference, settings } from './config-reference';

const REPO_ROOT = join(__dirname, '..', '..');
/** Variables declared only so that a deployment still setting them is refused at boot. */
const RETIRED = ['REWARD_MAX_CENTS', 'REWARD_MIN_CENTS', 'REWARD_MIN_ITEMS', 'REWARD_PERCENT_BASIS_POINTS'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Names used in code (read, destructured, compared), not where a property is declared nor in comments. */
function namesReadInCode(): Set<string> {
  const read = new Set<string>();
  for (const file of [...sourceFiles(join(REPO_ROOT, 'apps')), ...sourceFiles(join(REPO_ROOT, 'libs'))]) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && !(ts.isPropertyDeclaration(node.parent) && node.parent.name === node))
        read.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return read;
}

describe('docs/configuration.md', () => {
  it('is what the configuration classes say today (npm run docs:config writes it)', () => {
    expect(readFileSync(CONFIG_REFERENCE_FILE, 'utf8')).toBe(renderConfigReference());
  });

  it('describes every setting: each has its JSDoc', () => {
    expect(
      settings()
        .filter((setting) => setting.meaning === '')
        .map((setting) => setting.name),
    ).toEqual([]);
  });

  it('names the apps that read a setting and what production refuses', () => {
    const byName = new Map(settings().map((setting) => [setting.name, setting]));
    expect(byName.get('RECONCILER_SCHEDULE_ENABLED')).toMatchObject({ apps: ['reconciler'], type: 'boolean' });
    expect(byName.get('REWARD_STRATEGY')?.production).toMatch(/^refused when REWARD_STRATEGY other than inbox-tx/);
    expect(byName.get('ADMIN_TOKEN')?.production).toMatch(/a secret: refused when published or weak$/);
    expect(byName.get('DATABASE_POOL_SIZE')?.defaults.get('reward-service')).toBe(20);
    expect(byName.get('DATABASE_POOL_SIZE')?.defaults.get('order-service')).toBe(10);
  });

  it('lists no setting that nothing reads: each is read in code, but the retired ones kept to be refused', () => {
    const read = namesReadInCode();
    expect(
      settings()
        .map((setting) => setting.name)
        .filter((name) => !read.has(name)),
    ).toEqual(RETIRED);
  });
});
