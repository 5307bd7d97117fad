// Launches Debian's Chromium through playwright-core. A missing browser is an error, never a skip.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.LEDGERLINE_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(process.env.LEDGERLINE_E2E_ARTIFACTS ?? join(import.meta.dirname, '../../.tmp/designer-e2e'));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set LEDGERLINE_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Saves a full-window screenshot under the artifacts folder and returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Collects console errors and failed requests so a test can assert the page stayed clean. */
export function watchPage(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Drags with intermediate mouse moves: xyflow and HTML5 drag-and-drop ignore a single jump. */
export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 12) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 5, from.y + 5, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

export async function center(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

export const handle = (node: string, port: string) => `.react-flow__handle[data-nodeid="${node}"][data-handleid="${port}"]`;

/** Drags a node type from the palette onto the canvas. */
export async function dropFromPalette(page: Page, type: string, at: { x: number; y: number }) {
  // Search first: the palette grows with the catalog and the item may be below the fold.
  await page.fill('input[aria-label="Search nodes"]', type);
  await drag(page, await center(page, `[data-node-type="${type}"]`), at, 15);
  await page.fill('input[aria-label="Search nodes"]', '');
}

/** Drags from an output handle to an input handle, as a person connects two nodes. */
export async function connect(page: Page, from: [string, string], to: [string, string]) {
  await drag(page, await center(page, handle(...from)), await center(page, handle(...to)), 15);
}
