/** leukoscan live dashboard: wires the connection to the views. */
import './style.css';
import type { LeukocyteType } from '../../src/core/classes.js';
import type { ReviewAction, Role, ServerMessage } from '../../src/stream/protocol.js';
import { Connection, type ConnectionState } from './connection.js';
import { Controls } from './controls.js';
import { DifferentialView } from './differential-view.js';
import { h } from './dom.js';
import { Gallery } from './gallery.js';
import { HealthView } from './health-view.js';
import { CalibrationView, overlayLabelScale } from './calibration-view.js';
import { HistoryView } from './history.js';
import { LiveView } from './live-view.js';
import { ResumeBanner } from './resume-banner.js';

const TOAST_MS = 4000;

function panel(title: string, body: HTMLElement, extra?: HTMLElement): HTMLElement {
  return h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', {}, title), extra ?? null), body);
}

function tokenPrompt(root: HTMLElement): void {
  const input = h('input', { type: 'password', placeholder: 'access token', autocomplete: 'off', 'aria-label': 'Access token' });
  const form = h('form', {
    class: 'token-form',
    onsubmit: (ev: Event) => {
      ev.preventDefault();
      const token = input.value.trim();
      if (token.length === 0) return;
      const url = new URL(location.href);
      url.searchParams.set('token', token);
      location.replace(url.toString());
    },
  },
    h('h1', {}, 'leukoscan'),
    h('p', {}, 'This dashboard needs the access token that `leukoscan serve` printed when it started.'),
    input,
    h('button', { class: 'btn primary', type: 'submit' }, 'Open dashboard'),
  );
  root.append(h('div', { class: 'token-page' }, form));
}

function start(root: HTMLElement, token: string): void {
  const live = new LiveView();
  const differential = new DifferentialView();
  const health = new HealthView();
  const toasts = h('div', { class: 'toasts', 'aria-live': 'polite' });
  const toast = (text: string, kind: 'ok' | 'error' = 'ok') => {
    const el = h('div', { class: `toast ${kind}` }, text);
    toasts.append(el);
    setTimeout(() => el.remove(), TOAST_MS);
  };

  let connection: Connection;
  const send = (request: Parameters<Connection['send']>[0]) => {
    const id = connection.send(request);
    if (id === null) toast('Not connected: the request was not sent', 'error');
    return id;
  };
  const controls = new Controls((r) => void send(r));
  const calibration = new CalibrationView((r) => void send(r));
  const review = { onReview: (cellId: string, action: ReviewAction, newType?: LeukocyteType) => void send({ type: 'review', cellId, action, ...(newType ? { newType } : {}) }) };
  const gallery = new Gallery(review);
  const history = new HistoryView(send, review);

  const connState = h('span', { class: 'conn connecting', 'data-testid': 'connection' }, 'connecting');
  const roleBadge = h('span', { class: 'role' }, '');
  const scanState = h('span', { class: 'scan-state idle', 'data-testid': 'scan-state' }, 'idle');
  const sourceName = h('span', { class: 'source-name' }, '');
  const connDetailText = h('span', {}, '');
  const connDetail = h('div', { class: 'conn-detail', hidden: true },
    connDetailText,
    h('button', {
      class: 'link-btn',
      onclick: () => {
        try {
          sessionStorage.removeItem(TOKEN_KEY);
        } catch {
          // nothing stored
        }
        location.replace(location.pathname);
      },
    }, 'Enter another token'),
  );

  root.append(
    h('header', { class: 'topbar' },
      h('div', { class: 'brand' }, h('span', { class: 'logo' }, '◉'), 'leukoscan'),
      h('div', { class: 'topbar-status' }, scanState, h('span', { class: 'source' }, health.sourceDot, sourceName)),
      h('div', { class: 'topbar-right' }, roleBadge, connState),
    ),
    connDetail,
    h('main', { class: 'layout' },
      h('div', { class: 'col-live' },
        panel('Live view', live.element),
        panel('Controls', controls.element),
      ),
      h('div', { class: 'col-diff' },
        panel('Differential', h('div', {}, differential.progressElement, differential.tableElement, differential.chartElement)),
        panel('Health', h('div', {}, calibration.element, health.element)),
      ),
      h('div', { class: 'col-gallery' },
        panel('Counted cells', gallery.element),
        panel('Scan history', history.element),
      ),
    ),
    toasts,
  );

  const resume = ResumeBanner.attach(root, (r) => void send(r));
  let role: Role = 'viewer';
  const onMessage = (m: ServerMessage) => {
    resume.onMessage(m);
    switch (m.type) {
      case 'hello': {
        role = m.role;
        roleBadge.textContent = role === 'operator' ? 'Operator' : 'Read-only';
        roleBadge.className = `role ${role}`;
        controls.setRole(role);
        calibration.setRole(role);
        const canReview = role === 'operator' && m.features.review;
        const reviewNote = !m.features.review ? 'Review needs the scan store; this server has none' : 'Review needs the operator token';
        gallery.setReview(canReview, reviewNote);
        history.gallery.setReview(canReview, reviewNote);
        history.setAvailable(m.features.history);
        if (m.features.history) history.refresh();
        return;
      }
      case 'status':
        scanState.textContent = m.scan;
        scanState.className = `scan-state ${m.scan}`;
        sourceName.textContent = m.slide === undefined ? m.source : `${m.source} (${m.slide})`;
        controls.setStatus(m);
        return;
      case 'overlay':
        live.onOverlay(m);
        return;
      case 'differential':
        differential.update(m);
        return;
      case 'counted':
        gallery.add(m.cell);
        return;
      case 'gallery':
        gallery.replace(m.cells);
        if (m.cells.length === 0) live.reset();
        return;
      case 'cellUpdated':
        gallery.update(m);
        history.gallery.update(m);
        return;
      case 'cellRetracted':
        gallery.remove(m.cellId);
        history.gallery.remove(m.cellId);
        return;
      case 'health':
        health.updateHealth(m);
        live.onStagePace(m.pipeline.stagePace);
        calibration.update(m.pipeline.calibration);
        live.labelScale = overlayLabelScale(m.pipeline.calibration);
        return;
      case 'metrics':
        health.updateMetrics(m);
        return;
      case 'ack':
        toast(`${m.command}: done`);
        return;
      case 'scans':
        history.showScans(m);
        return;
      case 'scan':
        history.showScan(m);
        return;
      case 'error':
        toast(m.message, 'error');
        return;
    }
  };
  const onState = (state: ConnectionState, detail: string) => {
    connState.textContent = state;
    connState.className = `conn ${state}`;
    controls.setConnected(state === 'open');
    calibration.setConnected(state === 'open');
    connDetailText.textContent = detail;
    connDetail.hidden = detail.length === 0 || state === 'open';
  };
  connection = Connection.forPage(token, { onMessage, onFrame: (header, jpeg) => live.onFrame(header, jpeg), onState });
  connection.open();
}

const TOKEN_KEY = 'leukoscan.token';

/**
 * The token comes in the URL the CLI printed. It is moved to this tab's
 * sessionStorage and taken out of the address bar (and so out of history,
 * bookmarks and screenshots); a reload of the tab still finds it.
 */
function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl.length > 0) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      url.searchParams.delete('token');
      history.replaceState(null, '', url.toString());
    } catch {
      // Storage refused (private mode): keep the token in the URL.
    }
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

const root = document.getElementById('app');
if (root === null) throw new Error('#app is missing from the page');
const token = takeToken();
if (token === null || token.length === 0) tokenPrompt(root);
else start(root, token);
