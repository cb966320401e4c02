/**
 * The banner a dashboard shows when a crash left a scan interrupted: "Scan #12 was interrupted at
 * 37 cells: Resume / Close". Resume continues it (same counts, same target); Close ends it as
 * 'interrupted'. Operators get the buttons; read-only viewers see the text only.
 */
import type { Role, ServerMessage, ServerMessageOf } from '../../src/stream/protocol.js';
import type { Request } from './connection.js';
import { h } from './dom.js';

type Offer = NonNullable<ServerMessageOf<'status'>['interrupted']>;

/** Pure: the banner's sentence. */
export function resumeBannerText(offer: Offer): string {
  const cells = `${offer.cells} cell${offer.cells === 1 ? '' : 's'}`;
  return `Scan #${offer.scanId} was interrupted at ${cells}${offer.target !== null ? ` of ${offer.target}` : ''}.`;
}

export class ResumeBanner {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private readonly buttons: HTMLButtonElement[];
  private offer: Offer | null = null;
  private role: Role = 'viewer';

  /** Builds the banner and places it at the top of `root`. */
  static attach(root: HTMLElement, send: (request: Request) => void): ResumeBanner {
    const banner = new ResumeBanner(send);
    root.prepend(banner.element);
    return banner;
  }

  private constructor(private readonly send: (request: Request) => void) {
    this.text = h('span', { 'data-testid': 'resume-text' }, '');
    const button = (type: 'resumeInterrupted' | 'closeInterrupted', label: string, cls: string) =>
      h('button', { class: `btn ${cls}`, 'data-testid': `resume-${type}`, onclick: () => this.offer && this.send({ type, scanId: this.offer.scanId }) }, label);
    this.buttons = [button('resumeInterrupted', 'Resume', 'primary'), button('closeInterrupted', 'Close', '')];
    this.element = h('div', { class: 'resume-banner', role: 'alert', 'data-testid': 'resume-banner', hidden: true, style: 'padding:8px 16px;background:#fff0c0' },
      this.text,
      ...this.buttons,
    );
  }

  /** Feed every server message; the banner reads hello (role) and status (the offer). */
  onMessage(m: ServerMessage): void {
    if (m.type === 'hello') this.role = m.role;
    else if (m.type === 'status') this.offer = m.interrupted ?? null;
    else return;
    this.element.hidden = this.offer === null;
    if (this.offer !== null) this.text.textContent = resumeBannerText(this.offer);
    for (const b of this.buttons) b.hidden = this.role !== 'operator';
  }
}
