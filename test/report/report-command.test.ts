import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatScanTable, parseScanRef, runReport, type ReportCommandOptions } from '../../src/cli/commands/report.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { DATABASE_FILE } from '../../src/store/index.js';
import { tempHome } from '../store/helpers/cells.js';
import { makeReportData } from './helpers/report-fixture.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
}

const opts = (o: Partial<ReportCommandOptions>): ReportCommandOptions => ({ format: 'json', limit: 20, ...o });

describe('leukoscan report', () => {
  let cleanup: (() => Promise<void> | void) | null = null;
  afterEach(async () => cleanup?.());

  it("writes the report of 'latest' or of an id, to stdout or atomically to --out", async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    const a = capture();
    expect(runReport('latest', opts({ home: fx.home, format: 'csv' }), a.io)).toBe(EXIT.OK);
    expect(a.out.stdout.split('\r\n')[0]).toMatch(/^record,scan_id,cell_id/);
    const file = join(fx.home, 'out.fhir.json');
    const b = capture();
    expect(runReport(fx.data.scan.id, opts({ home: fx.home, format: 'fhir', out: file }), b.io)).toBe(EXIT.OK);
    expect(JSON.parse(readFileSync(file, 'utf8')).resourceType).toBe('Bundle');
    expect(b.out.stderr).toContain(`wrote fhir report of scan #${fx.data.scan.id} (99 cells) to ${file}`);
    expect(readdirSync(fx.home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--list prints a table of past scans', async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    const c = capture();
    expect(runReport('latest', opts({ home: fx.home, list: true }), c.io)).toBe(EXIT.OK);
    const [header, row] = c.out.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+STARTED \(UTC\)\s+STATUS\s+OPERATOR\s+COUNTED\s+REJECTED\s+MODEL\s+SOURCE$/);
    expect(row).toMatch(new RegExp(`^${fx.data.scan.id}\\s+2025-11-24 16:00:00\\s+completed\\s+tech\\.a\\s+99/100\\s+1\\s+leukoscan-lite\\s+/dev/video0$`));
    expect(formatScanTable([{ ...fx.data.scan, status: 'running', interrupted: true }])).toContain('running (interrupted)');
  });

  it('NO SUCH SCAN - exit 66 with a message naming the database', async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    const c = capture();
    expect(runReport(999, opts({ home: fx.home }), c.io)).toBe(EXIT.NO_INPUT);
    expect(c.out.stderr).toMatch(/no scan #999 in .*leukoscan\.db; list scans with 'leukoscan report --list'/);
  });

  it('CORRUPT DATABASE - exit 1, the message says a copy was kept; --reset-corrupt-db starts over', () => {
    const home = tempHome();
    cleanup = home.cleanup;
    writeFileSync(join(home.dir, DATABASE_FILE), Buffer.alloc(4096, 0x42));
    const c = capture();
    expect(runReport('latest', opts({ home: home.dir }), c.io)).toBe(EXIT.FAILURE);
    expect(c.out.stderr).toMatch(/is corrupt .* A copy was kept at .*leukoscan\.db\.corrupt-.* --reset-corrupt-db/);
    const d = capture();
    expect(runReport('latest', opts({ home: home.dir, list: true, resetCorruptDb: true }), d.io)).toBe(EXIT.NO_INPUT);
    expect(d.out.stderr).toMatch(/was moved to .*corrupt-.* and a new one started/);
    expect(d.out.stderr).toMatch(/no scans in/);
    // Issue 25: the same damaged file is copied aside once, however often it is opened (was: a copy per open).
    expect(readdirSync(home.dir).filter((f) => f.includes('.corrupt-')).length).toBe(1);
  });

  it.each([
    ['latest', 'latest'],
    ['12', 12],
  ] as const)('scan argument %s', (arg, ref) => {
    expect(parseScanRef(arg)).toBe(ref);
  });

  it('BAD ARGUMENT - a scan that is neither an id nor latest is a usage error', () => {
    expect(() => parseScanRef('last')).toThrow(/'last' is not a scan id/);
  });

  it('the real CLI exits 66 on an empty data directory and 2 on an unknown format', () => {
    const home = tempHome();
    cleanup = home.cleanup;
    const env = { ...process.env, LEUKOSCAN_HOME: home.dir };
    const run = (...args: string[]) => spawnSync(process.execPath, ['bin/leukoscan.js', 'report', ...args], { env, encoding: 'utf8' });
    const none = run('latest');
    expect(none.status).toBe(EXIT.NO_INPUT);
    // Issue 25: a read-only command creates no database (was: it created an empty one and said "no scan 'latest' in").
    expect(none.stderr).toMatch(/no scan database at .*leukoscan\.db \(nothing was created; check --home or LEUKOSCAN_HOME\)/);
    expect(run('--format', 'pdf').status).toBe(EXIT.USAGE);
    expect(existsSync(join(home.dir, DATABASE_FILE))).toBe(false);
    const asFile = run('--home', '/etc/passwd', 'latest');
    expect(asFile.status).toBe(EXIT.USAGE);
    expect(asFile.stderr).toBe('leukoscan report: the scan store folder /etc/passwd is a file, not a folder: give --home a folder\n');
  });
});
