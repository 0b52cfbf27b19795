import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** A link that leads nowhere: the file it is in, its target, and why. */
export interface BrokenLink {
  file: string;
  target: string;
  problem: string;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown text defines, repeated headings numbered as GitHub numbers them. */
export function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = anchorOf(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The targets of the inline links and images of a Markdown text, outside code blocks and code spans. */
export function linksIn(markdown: string): string[] {
  const targets: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const text = line.replace(/`[^`]*`/g, '');
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) targets.push(match[1]);
  }
  return targets;
}

/**
 * Checks every relative link of the given Markdown files: the file it names exists in the repository,
 * and the anchor it names is a heading of that file. Links to the web are left alone.
 */
export function brokenLinks(root: string, files: string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const markdown = readFileSync(join(root, file), 'utf8');
    for (const target of linksIn(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [path, anchor] = target.split('#', 2);
      const resolved = path === '' ? join(root, file) : join(root, dirname(file), decodeURIComponent(path));
      if (!resolved.startsWith(root)) {
        broken.push({ file, target, problem: 'leads outside the repository' });
      } else if (!existsSync(resolved)) {
        broken.push({ file, target, problem: `no file ${relative(root, resolved)}` });
      } else if (anchor !== undefined && resolved.endsWith('.md')) {
        if (!anchorsIn(readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push({ file, target, problem: `no heading #${anchor} in ${relative(root, resolved)}` });
        }
      }
    }
  }
  return broken;
}

/** The README and every page of docs/. */
export function documentationFiles(root: string): string[] {
  const pages = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...pages.map((name) => `docs/${name}`)];
}
