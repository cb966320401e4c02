import { afterEach, describe, expect, it } from 'vitest';
import { encodeCropJpeg } from '../../src/app/encode-crops.js';
import { SlideCounter, type FrameWithDetections } from '../../src/track/slide-counter.js';
import type { CountUpdate, CountedCell, TrackedCell } from '../../src/track/types.js';
import { LEUKOCYTE_TYPES } from '../../src/core/classes.js';
import { ScanStore, recordCountUpdate, storeWritesFromCountUpdate } from '../../src/store/index.js';
import { blobCanvas, view } from '../track/synthetic.js';
import { detections } from '../track/script.js';
import { SCAN_START, tempHome, trackedCountedCell } from './helpers/cells.js';

const countedCell = (id: number, type: CountedCell['type']): CountedCell => trackedCountedCell(id, type);

/** A hand-built update (only the fields the adapter reads are meaningful). */
function update(events: CountUpdate['events'], cells: Partial<TrackedCell>[] = []): CountUpdate {
  return { frame: { cells } as unknown as CountUpdate['frame'], events };
}

const JPEG = { format: 'jpeg' as const, width: 60, height: 60, data: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), seq: 3 };
const diff = {} as CountUpdate['frame']['differential'];

describe('tracker → store adapter', () => {
  let home: ReturnType<typeof tempHome> | null = null;
  let store: ScanStore | null = null;
  afterEach(async () => {
    await store?.close({ force: true });
    home?.cleanup();
  });

  it('maps a counted cell (centre, box size, segment, votes of the tracked cell, JPEG crop) and a retype', () => {
    const votes = { NEU: 2.4, LYM: 0.3, MON: 0, EOS: 0, BAS: 0 };
    const writes = storeWritesFromCountUpdate(
      update(
        [
          { kind: 'cell-counted', seq: 4, timestampMs: 1300, cell: countedCell(7, 'NEU'), crop: JPEG, differential: diff },
          { kind: 'cell-retyped', seq: 4, timestampMs: 1300, cell: countedCell(5, 'MON'), previousType: 'LYM', differential: diff },
          { kind: 'differential-changed', seq: 4, timestampMs: 1300, differential: diff },
        ],
        [{ id: 7, votes }],
      ),
    );
    expect(writes.cells).toEqual([
      {
        trackId: 7,
        type: 'NEU',
        confidence: 0.8,
        votes,
        slide: { x: 130, y: 110, width: 60, height: 60 },
        segment: 0,
        firstSeenMs: 1000,
        lastSeenMs: 1300,
        cropJpeg: JPEG.data,
      },
    ]);
    expect(writes.retypes).toEqual([{ trackId: 5, type: 'MON', confidence: 0.8, votes: null }]);
  });

  it('RGB CROP - refuses a crop that was not encoded, naming the cell and the fix', () => {
    const rgb = { format: 'rgb24' as const, width: 1, height: 1, data: new Uint8Array(3), seq: 4 };
    expect(() =>
      storeWritesFromCountUpdate(update([{ kind: 'cell-counted', seq: 4, timestampMs: 0, cell: countedCell(9, 'EOS'), crop: rgb, differential: diff }])),
    ).toThrow(/cell 9 \(frame 4\) carries an RGB crop: encode crops \(src\/app encodeCropJpeg\(\)\)/);
  });

  it("end to end: the tracker's counted cells, stored, give the tracker's differential", async () => {
    // The tracker engineer's scripted scan (test/track): frames move 8 px; two cells pass under the camera.
    const canvas = blobCanvas(1200, 900, 3);
    const frameAt = (seq: number): FrameWithDetections => {
      const x = 200 + seq * 8;
      return {
        frame: view(canvas, seq, x, 200, 400, 300),
        detections: detections(
          [
            [300 - x, 80, 360 - x, 140, 'NEU', 0.9],
            [420 - x, 150, 470 - x, 200, 'LYM', 0.8],
          ],
          [0, 0],
        ),
      };
    };
    const counter = new SlideCounter();
    const updates: CountUpdate[] = [];
    for (let i = 0; i < 8; i++) {
      const u = counter.update(frameAt(i));
      const events = await Promise.all(u.events.map(async (e) => (e.kind === 'cell-counted' && e.crop?.format === 'rgb24' ? { ...e, crop: await encodeCropJpeg(e.crop) } : e)));
      updates.push({ ...u, events });
    }
    home = tempHome();
    store = ScanStore.open(home.dir);
    const scan = store.startScan(SCAN_START);
    for (const u of updates) recordCountUpdate(store, scan.id, u);
    await store.flush();
    const tracker = updates.at(-1)!.frame.differential;
    const stored = store.differential(scan.id);
    expect(stored.counted).toBe(tracker.total);
    expect(stored.counted).toBeGreaterThan(0);
    for (const t of LEUKOCYTE_TYPES) expect(stored.rows.find((r) => r.type === t)!.count).toBe(tracker.counts[t].count);
    const cells = store.listCells(scan.id, { crops: true });
    expect(cells.every((c) => c.cropJpeg && c.cropJpeg[0] === 0xff && c.cropJpeg[1] === 0xd8)).toBe(true);
  });
});
