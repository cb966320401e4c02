/**
 * Issue 25 item 2: a camera password stored with a scan never reaches a report or the scan list.
 * The store keeps the URI it was given; every report renders it as rtsp://user:***@host/….
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runReport, type ReportCommandOptions } from '../../src/cli/commands/report.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { REPORT_FORMATS, renderReport } from '../../src/report/index.js';
import { makeReportData } from './helpers/report-fixture.js';

const SECRET = 'Pa55word';
const SOURCE = `rtsp://admin:${SECRET}@10.1.2.3:554/stream1`;
const SHOWN = 'rtsp://admin:***@10.1.2.3:554/stream1';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => cleanup?.());

describe('CREDENTIALS - reports show the source without its password', () => {
  it('JSON report: in the scan and in its scan-started event', async () => {
    const fx = await makeReportData({ source: SOURCE });
    cleanup = fx.cleanup;
    const json = JSON.parse(renderReport('json', fx.data));
    expect(json.scan.source).toBe(SHOWN);
    const started = json.events.find((e: { kind: string }) => e.kind === 'scan-started');
    expect(started.detail.source).toBe(SHOWN);
  });

  it('HTML report', async () => {
    const fx = await makeReportData({ source: SOURCE });
    cleanup = fx.cleanup;
    const html = renderReport('html', fx.data);
    expect(html).toContain(SHOWN);
  });

  it.each(REPORT_FORMATS)('%s report: the password appears nowhere', async (format) => {
    const fx = await makeReportData({ source: SOURCE });
    cleanup = fx.cleanup;
    expect(renderReport(format, fx.data)).not.toContain(SECRET);
  });

  it('report --list', async () => {
    const fx = await makeReportData({ source: SOURCE });
    cleanup = fx.cleanup;
    let stdout = '';
    const opts: ReportCommandOptions = { format: 'json', limit: 20, list: true, home: fx.home };
    expect(runReport('latest', opts, { stdout: (s) => void (stdout += s), stderr: () => {} })).toBe(EXIT.OK);
    expect(stdout).toContain(SHOWN);
    expect(stdout).not.toContain(SECRET);
  });
});
