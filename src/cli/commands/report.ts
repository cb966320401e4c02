import { renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { redactUri } from '../../capture/redact-uri.js';
import { EXIT } from '../exit-codes.js';
import {
  CorruptDatabaseError,
  NoDatabaseError,
  ScanNotFoundError,
  ScanStore,
  StoreHomeError,
  resolveHome,
  type ScanRef,
  type ScanSummary,
} from '../../store/index.js';
import { REPORT_FORMATS, formatNeedsCrops, loadReportData, renderReport, type ReportFormat } from '../../report/index.js';

export interface ReportCommandOptions {
  format: ReportFormat;
  out?: string;
  list?: boolean;
  limit: number;
  home?: string;
  resetCorruptDb?: boolean;
}

export function parseScanRef(v: string): ScanRef {
  if (v === 'latest') return 'latest';
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${v}' is not a scan id (a positive integer) or 'latest'`);
  return n;
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Write the report of a stored scan (CSV, JSON, FHIR R4 Bundle or printable HTML), or list past scans')
    .argument('[scan]', "scan id, or 'latest'", parseScanRef, 'latest')
    .addOption(
      new Option('--format <format>', 'csv: one row per cell + summary rows; json; fhir: R4 Bundle (DiagnosticReport + Observations + Device); html: printable summary with gallery')
        .choices([...REPORT_FORMATS])
        .default('json'),
    )
    .option('-o, --out <file>', 'write the report here instead of stdout')
    .option('--list', 'print a table of past scans instead of a report')
    .option('--limit <n>', 'with --list: how many scans (newest first)', parseLimit, 20)
    .option('--home <dir>', 'data directory (default: $LEUKOSCAN_HOME, else ~/.local/share/leukoscan)')
    .option('--reset-corrupt-db', 'if the database is corrupt, move it aside (kept with a timestamp) and start a new, empty one')
    .addHelpText('after', "\nExit codes: 0 done; 66 no such scan, no scans yet, or no database in the data directory (none is created); 2 bad arguments (e.g. --home is a file); 1 the database is corrupt or cannot be read.")
    .action((scan: ScanRef, opts: ReportCommandOptions) => {
      process.exitCode = runReport(scan, opts);
    });
}

export function runReport(ref: ScanRef, opts: ReportCommandOptions, io: { stdout: (s: string) => void; stderr: (s: string) => void } = stdio()): number {
  let store: ScanStore;
  try {
    // Read-only: a mistyped --home finds no database and creates none.
    store = ScanStore.open(resolveHome(opts.home), { onCorrupt: opts.resetCorruptDb ? 'reset' : 'fail', create: false });
  } catch (err) {
    const exit = err instanceof CorruptDatabaseError ? EXIT.FAILURE : err instanceof NoDatabaseError ? EXIT.NO_INPUT : err instanceof StoreHomeError ? EXIT.USAGE : null;
    if (exit === null) throw err;
    io.stderr(`leukoscan report: ${(err as Error).message}\n`);
    return exit;
  }
  try {
    if (store.recoveredFrom) {
      io.stderr(`leukoscan report: the database was corrupt (${store.recoveredFrom.detail}); it was moved to ${store.recoveredFrom.backup} and a new one started\n`);
    }
    if (opts.list) {
      const scans = store.listScans({ limit: opts.limit });
      if (scans.length === 0) {
        io.stderr(`leukoscan report: no scans in ${store.file}\n`);
        return EXIT.NO_INPUT;
      }
      io.stdout(formatScanTable(scans));
      return EXIT.OK;
    }
    const data = loadReportData(store, ref, { crops: formatNeedsCrops(opts.format) });
    const text = renderReport(opts.format, data);
    if (opts.out) {
      writeAtomically(opts.out, text);
      io.stderr(`leukoscan report: wrote ${opts.format} report of scan #${data.scan.id} (${data.differential.counted} cells) to ${opts.out}\n`);
    } else {
      io.stdout(text);
    }
    return EXIT.OK;
  } catch (err) {
    if (err instanceof ScanNotFoundError) {
      io.stderr(`leukoscan report: ${err.message}; list scans with 'leukoscan report --list'\n`);
      return EXIT.NO_INPUT;
    }
    throw err;
  } finally {
    void store.close({ force: true });
  }
}

/** A fixed-width table of scans, newest first. */
export function formatScanTable(scans: readonly ScanSummary[]): string {
  const header = ['ID', 'STARTED (UTC)', 'STATUS', 'OPERATOR', 'COUNTED', 'REJECTED', 'MODEL', 'SOURCE'];
  const rows = scans.map((s) => [
    String(s.id),
    new Date(s.startedAtMs).toISOString().replace('T', ' ').slice(0, 19),
    s.interrupted ? `${s.status} (interrupted)` : s.status,
    s.operator,
    s.target ? `${s.cellsCounted}/${s.target}` : String(s.cellsCounted),
    String(s.cellsRejected),
    s.model.name,
    redactUri(s.source),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Writes to a temporary file beside `file`, then renames it over: a reader never sees half a report. */
function writeAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function stdio() {
  return { stdout: (s: string) => void process.stdout.write(s), stderr: (s: string) => void process.stderr.write(s) };
}
