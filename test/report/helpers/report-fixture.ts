import { ScanStore } from '../../../src/store/index.js';
import { loadReportData, type ReportData } from '../../../src/report/index.js';
import { SCAN_START, cell, tempHome } from '../../store/helpers/cells.js';
import type { LeukocyteType } from '../../../src/core/classes.js';

/** A tiny stand-in JPEG (SOI ... EOI); HTML tests only check that it is embedded. */
export const FAKE_JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

export const GENERATED_AT = Date.UTC(2026, 10, 26, 1, 0, 0);

/**
 * A stored scan: 60 NEU, 25 LYM, 8 MON, 5 EOS, 2 BAS (100 cells, crops on the even ones), then one
 * NEU reclassified as EOS and one LYM rejected by 'tech.b'. Returns the report data and a cleanup.
 */
export async function makeReportData(opts: { end?: 'completed' | 'aborted' | null; operator?: string; source?: string } = {}): Promise<{
  data: ReportData;
  store: ScanStore;
  home: string;
  cleanup: () => Promise<void>;
}> {
  const home = tempHome('leukoscan-report-');
  const store = ScanStore.open(home.dir, { writer: 'inline' }); // the writer thread is tested in test/store
  const scan = store.startScan({ ...SCAN_START, operator: opts.operator ?? SCAN_START.operator, source: opts.source ?? SCAN_START.source });
  const mix: LeukocyteType[] = [
    ...Array<LeukocyteType>(60).fill('NEU'),
    ...Array<LeukocyteType>(25).fill('LYM'),
    ...Array<LeukocyteType>(8).fill('MON'),
    ...Array<LeukocyteType>(5).fill('EOS'),
    ...Array<LeukocyteType>(2).fill('BAS'),
  ];
  store.recordCells(scan.id, mix.map((t, i) => cell(i, t, i % 2 === 0 ? FAKE_JPEG : undefined)));
  await store.review((await store.cellIdForTrack(scan.id, 1))!, { kind: 'reclassify', to: 'EOS' }, 'tech.b');
  await store.review((await store.cellIdForTrack(scan.id, 61))!, { kind: 'reject', note: 'smudge' }, 'tech.b');
  const end = opts.end === undefined ? 'completed' : opts.end;
  if (end) await store.endScan(scan.id, end);
  const data = loadReportData(store, scan.id, { crops: true, now: () => GENERATED_AT });
  return {
    data,
    store,
    home: home.dir,
    cleanup: async () => {
      await store.close({ force: true });
      home.cleanup();
    },
  };
}
