import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../support/reconciler.harness';
import type { RunningApp } from './system';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** GET a path of a running app, with the tests' admin token; anything but 2xx fails the test with the status. */
export async function get(app: RunningApp, path: string): Promise<string> {
  const response = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  if (!response.ok) throw new Error(`GET ${path} on ${app.name}: HTTP ${response.status}`);
  return response.text();
}

/** The value of one series in a Prometheus text exposition (the sum over matching label sets). */
export function seriesValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  return seriesLines(exposition, name, labels).reduce(
    (sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)),
    0,
  );
}

/** The sample lines of one series whose labels include `labels`: none when the series was removed. */
export function seriesLines(exposition: string, name: string, labels: Record<string, string> = {}): string[] {
  const lines = exposition.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
  return lines.filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)));
}

/** The JSON log records an app printed with this message, oldest first. */
export function logRecords(app: RunningApp, message: string): Record<string, unknown>[] {
  return app.process
    .output()
    .split('\n')
    .filter((line) => line.includes(`"message":${JSON.stringify(message)}`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface LivePage {
  page: Page;
  /** Uncaught errors of the page's script: a page test ends by expecting none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Opens the monitor's live page in headless Chromium, given the tests' token as an operator would. */
export function openLivePage(monitor: RunningApp): Promise<LivePage> {
  return openMonitorPage(monitor, `/#token=${TEST_ADMIN_TOKEN}`);
}

/** Opens a page of the monitor (`path`, from `/`) in headless Chromium. */
export async function openMonitorPage(monitor: RunningApp, path: string): Promise<LivePage> {
  if (!existsSync(CHROMIUM)) throw new Error(`the page test needs Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${monitor.url}${path}`);
    return { page, pageErrors, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
