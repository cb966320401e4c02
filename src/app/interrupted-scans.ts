/**
 * The interrupted scan a session offers on start: the newest scan still open in the store whose
 * process died (kill -9, power loss). The operator resumes it (same counts, same target) or closes
 * it as 'interrupted'; then the next one, if any, is offered.
 */
import type { ScanStore } from '../store/scan-store.js';
import type { ScanSummary } from '../store/types.js';
import { SessionCommandError, type InterruptedScanOffer } from '../stream/session.js';
import type { ResumedScan } from './scan-lifecycle.js';

export class InterruptedScans {
  private current: ScanSummary | null = null;

  constructor(private readonly store: ScanStore | null) {
    this.refresh();
  }

  /** What the status shows, or null. */
  get offer(): InterruptedScanOffer | null {
    const s = this.current;
    return s === null ? null : { scanId: String(s.id), cells: s.cellsCounted, target: s.target };
  }

  refresh(): void {
    this.current = this.store?.interruptedScans()[0] ?? null;
  }

  /** The scan on offer, to resume; `fallbackTarget` when it was stored without one. */
  take(scanIdText: string, fallbackTarget: number): ResumedScan {
    const s = this.onOffer(scanIdText);
    return { scanId: s.id, target: s.target ?? fallbackTarget, startedAtMs: s.startedAtMs };
  }

  /** Closes the scan on offer as 'interrupted', with its counts. */
  close(scanIdText: string): void {
    const s = this.onOffer(scanIdText);
    this.store!.closeInterrupted(s.id);
    this.refresh();
  }

  private onOffer(scanIdText: string): ScanSummary {
    const s = this.current;
    if (s === null) throw new SessionCommandError('no interrupted scan is on offer');
    if (String(s.id) !== scanIdText) throw new SessionCommandError(`scan #${scanIdText} is not the interrupted scan on offer (#${s.id})`);
    return s;
  }
}
