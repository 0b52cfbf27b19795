import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorOf, anchorsIn, brokenLinks, documentationFiles, linksIn } from './markdown-links';

const REPO_ROOT = join(__dirname, '..', '..');

describe('the documentation’s links', () => {
  it('all lead somewhere: every file they name exists, every anchor is a heading of its page', () => {
    const files = documentationFiles(REPO_ROOT);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/security.md']));
    expect(brokenLinks(REPO_ROOT, files)).toEqual([]);
  });

  it('keeps the README a door: at most 300 lines', () => {
    const lines = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(300);
  });

  it('finds a missing file, a missing anchor and a link outside the repository', () => {
    const root = mkdtempSync(join(tmpdir(), 'links-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'a.md'), '# A page\n\n## The `grantOnce` path: one transaction\n');
    writeFileSync(
      join(root, 'README.md'),
      [
        '[fine](docs/a.md#the-grantonce-path-one-transaction) [gone](docs/b.md) [no anchor](docs/a.md#nope)',
        '[out](../elsewhere.md) [web](https://example.com/x#y) `[code](docs/c.md)`',
        '```',
        '[fenced](docs/d.md)',
        '```',
      ].join('\n'),
    );
    expect(brokenLinks(root, documentationFiles(root))).toEqual([
      { file: 'README.md', target: 'docs/b.md', problem: 'no file docs/b.md' },
      { file: 'README.md', target: 'docs/a.md#nope', problem: 'no heading #nope in docs/a.md' },
      { file: 'README.md', target: '../elsewhere.md', problem: 'leads outside the repository' },
    ]);
  });

  it('makes anchors as GitHub does', () => {
    expect(anchorOf('Liveness: faults that do not heal by themselves')).toBe(
      'liveness-faults-that-do-not-heal-by-themselves',
    );
    expect(anchorOf('1. Placing the order: one statement, one transaction (`libs/ordering/src/place-order`)')).toBe(
      '1-placing-the-order-one-statement-one-transaction-libsorderingsrcplace-order',
    );
    expect([...anchorsIn('## Logs\n\n## Logs\n')]).toEqual(['logs', 'logs-1']);
    expect(linksIn('see [x](a.md "title") and ![img](b.png)')).toEqual(['a.md', 'b.png']);
  });
});
