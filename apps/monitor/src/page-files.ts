import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Everything a page loads comes from this app: no CDN, no inline script. */
export const PAGE_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

/** A file of the monitor's pages (`src/page`, copied next to the build), read once at boot. */
export function pageFile(name: string): string {
  return readFileSync(join(__dirname, 'page', name), 'utf8');
}
