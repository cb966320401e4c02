/**
 * Load: 50 viewers, 5 of them stalled (handshake, then they never read), for
 * 60 s (LEUKOSCAN_LOAD_SECONDS to change), against a SCRIPTED pipeline at
 * 15 fps. The pipeline must keep its frame rate, the server's memory must stay
 * bounded, healthy viewers must keep up, and what is held for a stalled viewer
 * must stay within the configured bounds (the rest dropped and counted).
 * Same code as `npm run bench:viewers` (bench/viewers.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_CONFIG } from '../../src/stream/config.js';
import { formatViewerLoad, runViewerLoad, VIEWER_LOAD_DEFAULTS } from '../../bench/viewers.js';

const SECONDS = Number(process.env.LEUKOSCAN_LOAD_SECONDS ?? 60);
/** A frame message is well under this (640x480 JPEG q70 plus header). */
const MAX_FRAME_MESSAGE_BYTES = 256 * 1024;

describe('stream server under load', () => {
  it(`SLOW VIEWERS - 50 viewers (5 stalled) for ${SECONDS} s do not slow the pipeline or grow memory`, async () => {
    const result = await runViewerLoad({ ...VIEWER_LOAD_DEFAULTS, seconds: SECONDS, baselineSeconds: 8 });
    process.stderr.write(`${formatViewerLoad(result)}\n`);

    // The pipeline keeps its rate. Tolerance for a shared, busy CI machine: compared with the
    // lower of the rates measured alone before and after the load (the machine's own load may change).
    const alone = Math.min(result.baseline.pipelineFps, result.after.pipelineFps);
    expect(result.load.pipelineFps).toBeGreaterThanOrEqual(0.75 * alone);
    // Memory: bounded, not growing with time while viewers stall.
    expect(result.load.rssSecondHalfGrowthMiB).toBeLessThan(32);
    expect(result.load.rssMaxMiB - result.baseline.rssMiB).toBeLessThan(128);
    // Healthy viewers keep up with what the pipeline produced.
    expect(result.healthy.count).toBe(45);
    expect(result.healthy.fpsMedian).toBeGreaterThanOrEqual(0.7 * result.load.pipelineFps);
    // Stalled viewers: still connected (heartbeat is long here), their socket buffer within the limit
    // plus one message, a bounded number of messages held, and the rest dropped and counted.
    expect(result.stalled.stillConnected).toBe(5);
    expect(result.stalled.maxBufferedBytes).toBeLessThanOrEqual(DEFAULT_STREAM_CONFIG.maxBufferedBytes + MAX_FRAME_MESSAGE_BYTES);
    expect(result.stalled.maxPending).toBeLessThanOrEqual(6 + DEFAULT_STREAM_CONFIG.maxQueuedEvents);
    if (SECONDS >= 45) expect(result.stalled.framesDropped).toBeGreaterThan(0);
  }, (SECONDS + 120) * 1000);
});
