/**
 * The calibration tile in Chromium (playwright-core), against the real server and dashboard bundle
 * with a scripted session that reports a calibration: the Health panel shows it, the operator's
 * Recalibrate button sends 'recalibrate' (the tile reads "calibrating…" and then the scale again),
 * and a read-only viewer's button is disabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { type TestBrowser, launchChromium } from './chromium.js';
import { createAuth } from '../../src/stream/auth.js';
import { StreamServer } from '../../src/stream/server.js';
import { calibrationText, overlayLabelScale } from '../../ui/src/calibration-view.js';
import { ScriptedScanSession, loadBccdFrames } from './scripted-session.js';
import { BCCD_TEST_ROOT } from '../data.js';

const HERE = dirname(fileURLToPath(import.meta.url));
// BCCD fields to replay: the full data's when present, else the demo slide's (demo/).
const DATA = BCCD_TEST_ROOT;

const CALIBRATION = { status: 'calibrated', umPerPx: 0.11, rbcCount: 412, scaleOverridden: false, field: 'circle', colourCalibrated: true, tiles: 4, message: null } as const;

let browser: BrowserContext;
let server: StreamServer;
let session: ScriptedScanSession;
let chrome: TestBrowser | undefined;
const auth = createAuth();

beforeAll(async () => {
  const frames = await loadBccdFrames(DATA, 2);
  session = new ScriptedScanSession({ frames, fps: 15, countEvery: 1000, source: 'scripted:bccd', calibration: CALIBRATION });
  server = await StreamServer.create({ session, auth, config: { port: 0, metricsIntervalMs: 500 } });
  await session.execute({ type: 'start' });
  chrome = await launchChromium();
  browser = chrome.context;
}, 120_000);

afterAll(async () => {
  await chrome?.close();
  await server?.close();
  await session?.close();
});

async function open(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url(token, '127.0.0.1'));
  await expect.poll(() => page.locator('[data-testid=connection]').textContent(), { timeout: 15_000 }).toBe('open');
  return page;
}

const tile = (page: Page) => page.locator('[data-testid=stat-calibration]').textContent();

describe('calibration tile in Chromium', () => {
  it('shows the calibration; the operator recalibrates', async () => {
    const page = await open(auth.operatorToken);
    await expect.poll(() => tile(page), { timeout: 15_000 }).toBe('Scale 0.110 µm/px (412 red cells) · field: circle · colour: calibrated · 4 tiles');
    const button = page.locator('[data-testid=ctl-recalibrate]');
    await expect.poll(() => button.isEnabled(), { timeout: 5_000 }).toBe(true);
    await button.click();
    await expect.poll(() => session.commands.some((c) => c.type === 'recalibrate'), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => tile(page), { timeout: 10_000 }).toMatch(/^calibrating…/);
    await expect.poll(() => tile(page), { timeout: 15_000 }).toMatch(/^Scale 0\.110 µm\/px/);
    await page.close();
  });

  it("a read-only viewer sees it, but cannot recalibrate", async () => {
    const page = await open(auth.viewerToken);
    await expect.poll(() => tile(page), { timeout: 15_000 }).toMatch(/^Scale 0\.110/);
    expect(await page.locator('[data-testid=ctl-recalibrate]').isDisabled()).toBe(true);
    await page.close();
  });
});

describe('calibrationText', () => {
  // wire calibration -> the tile's text
  const rows: { name: string; c: Parameters<typeof calibrationText>[0]; text: string }[] = [
    { name: 'calibrated, one input', c: { ...CALIBRATION, field: 'full', tiles: 1, colourCalibrated: false }, text: 'Scale 0.110 µm/px (412 red cells) · field: full · colour: not calibrated' },
    { name: 'calibrating', c: { ...CALIBRATION, status: 'calibrating', umPerPx: null, rbcCount: null, tiles: null }, text: 'calibrating… · field: circle · colour: calibrated' },
    { name: 'held, with its reason', c: { ...CALIBRATION, status: 'held', message: 'held (no red cells in the last frames)' }, text: 'Scale 0.110 µm/px (412 red cells) · field: circle · colour: calibrated · 4 tiles · held (no red cells in the last frames)' },
    { name: 'set by the operator', c: { ...CALIBRATION, status: 'fixed', scaleOverridden: true, rbcCount: null }, text: 'Scale 0.110 µm/px (set) · field: circle · colour: calibrated · 4 tiles' },
    { name: 'none on the wire', c: undefined, text: 'off' },
  ];
  for (const r of rows) it(r.name, () => expect(calibrationText(r.c)).toBe(r.text));
});

describe('overlayLabelScale: labels follow the cells', () => {
  it("BCCD's scale: 1; half the magnification: the 0.7 floor; larger: up to 1.3; none: 1", () => {
    expect(overlayLabelScale({ ...CALIBRATION, umPerPx: 7.5 / 102 })).toBeCloseTo(1, 9);
    expect(overlayLabelScale({ ...CALIBRATION, umPerPx: 7.5 / 81.6 })).toBeCloseTo(0.8, 9);
    expect(overlayLabelScale({ ...CALIBRATION, umPerPx: 7.5 / 51 })).toBe(0.7);
    expect(overlayLabelScale({ ...CALIBRATION, umPerPx: 7.5 / 300 })).toBe(1.3);
    expect(overlayLabelScale(null)).toBe(1);
  });
});
