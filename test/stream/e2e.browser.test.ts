/**
 * End to end in Debian Chromium (playwright-core): the real dashboard bundle,
 * the real server, a SCRIPTED scan session replaying BCCD images. Checks that
 * frames, overlays and counts reach the page and update, that a read-only
 * viewer cannot control the scan, and writes screenshots to test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { type TestBrowser, launchChromium } from './chromium.js';
import { createAuth } from '../../src/stream/auth.js';
import { StreamServer } from '../../src/stream/server.js';
import { ScriptedScanSession, loadBccdFrames } from './scripted-session.js';
import { BCCD_TEST_ROOT } from '../data.js';

const HERE = dirname(fileURLToPath(import.meta.url));
// BCCD fields to replay: the full data's when present, else the demo slide's (demo/).
const DATA = BCCD_TEST_ROOT;
const RESULTS = resolve(HERE, '../../test-results');

let browser: BrowserContext;
let server: StreamServer;
let session: ScriptedScanSession;
let chrome: TestBrowser | undefined;
const auth = createAuth();

beforeAll(async () => {
  const frames = await loadBccdFrames(DATA, 8);
  session = new ScriptedScanSession({ frames, fps: 10, countEvery: 4, target: 100, source: 'scripted:bccd', withHistory: true });
  server = await StreamServer.create({ session, auth, config: { port: 0, metricsIntervalMs: 500 } });
  // Started once the server listens to it, so that it sees every counted cell.
  await session.execute({ type: 'start' });
  chrome = await launchChromium();
  browser = chrome.context;
  mkdirSync(RESULTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await chrome?.close();
  await server?.close();
  await session?.close();
});

async function open(token: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(server.url(token, '127.0.0.1'));
  return page;
}

const total = (page: Page) => page.locator('[data-testid=total]').textContent().then((t) => Number(t));
const frameBadge = (page: Page) => page.locator('.live-badge').textContent();

describe('dashboard in Chromium', () => {
  it('shows live frames with overlays and counts that update (operator, laptop)', async () => {
    const page = await open(auth.operatorToken, { width: 1440, height: 900 });
    await expect.poll(() => page.locator('[data-testid=connection]').textContent(), { timeout: 15_000 }).toBe('open');
    // The token is taken out of the address bar once read.
    expect(page.url()).not.toContain('token=');
    // Frames: the badge shows the seq of the frame drawn; it must advance.
    await expect.poll(() => frameBadge(page), { timeout: 15_000 }).toMatch(/^frame \d+/);
    const firstBadge = await frameBadge(page);
    await expect.poll(() => frameBadge(page), { timeout: 10_000 }).not.toBe(firstBadge);
    // Overlays: the frame drawn has its own overlay (no "no overlay" note) at least once.
    await expect.poll(async () => /no overlay/.test((await frameBadge(page)) ?? ''), { timeout: 10_000 }).toBe(false);
    // The canvas shows the image, not the black background.
    const lit = await page.locator('canvas.live-canvas').evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let bright = 0;
      for (let i = 0; i < d.length; i += 4 * 97) if (d[i] + d[i + 1] + d[i + 2] > 200) bright++;
      return bright;
    });
    expect(lit).toBeGreaterThan(100);
    // Stage pace: the health tile shows it; above 1 a warning covers the top of the live view, and goes again.
    const paceWarning = page.locator('.live-warning');
    await expect.poll(() => page.locator('[data-testid=stat-stagePace]').textContent(), { timeout: 15_000 }).toBe('150% · slow down');
    await expect.poll(() => paceWarning.isVisible(), { timeout: 5_000 }).toBe(true);
    expect(await paceWarning.textContent()).toContain('too fast');
    await expect.poll(() => page.locator('[data-testid=stat-stagePace]').textContent(), { timeout: 15_000 }).toBe('50%');
    await expect.poll(() => paceWarning.isVisible(), { timeout: 5_000 }).toBe(false);
    // Counts update.
    await expect.poll(() => total(page), { timeout: 15_000 }).toBeGreaterThan(0);
    const t1 = await total(page);
    await expect.poll(() => total(page), { timeout: 15_000 }).toBeGreaterThan(t1);
    // The gallery fills with crops.
    await expect.poll(() => page.locator('[data-testid=gallery] img').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    // Operator controls work: pause shows in the state pill.
    await page.locator('[data-testid=ctl-pause]').click();
    await expect.poll(() => page.locator('[data-testid=scan-state]').textContent(), { timeout: 5_000 }).toBe('paused');
    // Paused: the gallery catches up with the count (every counted cell arrives, crops may lag a little).
    await expect
      .poll(async () => (await page.locator('[data-testid=gallery] .tile').count()) === (await total(page)), { timeout: 10_000 })
      .toBe(true);
    // Review hook: reclassify the newest counted cell from the gallery.
    const tile = page.locator('[data-testid=gallery] .tile').first();
    const cellId = await tile.getAttribute('data-cell-id');
    await page.locator(`[data-cell-id="${cellId}"]`).click();
    await page.locator('.review-popover .type-btn', { hasText: 'EOS' }).click();
    await expect
      .poll(async () => ((await page.locator(`[data-cell-id="${cellId}"] .tile-review`).count()) > 0 ? 'reclassified' : await page.locator('.toasts').textContent()), { timeout: 10_000 })
      .toBe('reclassified');
    expect(session.reviews.at(-1)).toMatchObject({ cellId, action: 'reclassify', newType: 'EOS' });
    // Scan history: open a stored scan; its cells show in a reviewable gallery.
    await page.locator('.history-item').first().click();
    await expect.poll(() => page.locator('.history-detail-title').textContent(), { timeout: 5_000 }).toContain('Scan 1');
    await expect.poll(() => page.locator('.history [data-cell-id="1:1"]').count(), { timeout: 5_000 }).toBe(1);
    await page.locator('[data-testid=ctl-start]').click();
    await expect.poll(() => page.locator('[data-testid=scan-state]').textContent(), { timeout: 5_000 }).toBe('running');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(RESULTS, 'dashboard-laptop.png') });
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('gives a read-only viewer disabled controls, on a tablet-sized screen', async () => {
    const commandsBefore = session.commands.length;
    const page = await open(auth.viewerToken, { width: 820, height: 1180 });
    await expect.poll(() => page.locator('.role').textContent(), { timeout: 15_000 }).toBe('Read-only');
    await expect.poll(() => frameBadge(page), { timeout: 15_000 }).toMatch(/^frame \d+/);
    expect(await page.locator('[data-testid=ctl-start]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=ctl-reset]').isDisabled()).toBe(true);
    await expect.poll(() => total(page), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(RESULTS, 'dashboard-tablet.png'), fullPage: true });
    expect(session.commands.length).toBe(commandsBefore); // the read-only viewer sent none
    await page.close();
  });

  it('WRONG TOKEN - the page says it cannot connect', async () => {
    const page = await open('definitely-not-the-token', { width: 1024, height: 768 });
    await expect.poll(() => page.locator('.conn-detail').textContent(), { timeout: 15_000 }).toContain('check that the token');
    // The operator can enter another token.
    await page.locator('.conn-detail .link-btn').click();
    await expect.poll(() => page.locator('.token-form').count(), { timeout: 5_000 }).toBe(1);
    await page.close();
  });
});
