/** Source health, pipeline rates and this viewer's stream metrics. */
import type { ServerMessageOf } from '../../src/stream/protocol.js';
import { formatBytes, h } from './dom.js';
import { stagePacePercent, stageTooFast } from './stage-pace.js';

type Health = ServerMessageOf<'health'>;
type Metrics = ServerMessageOf<'metrics'>;

export class HealthView {
  readonly element: HTMLElement;
  private readonly cells = new Map<string, HTMLElement>();
  readonly sourceDot: HTMLElement;

  constructor() {
    this.sourceDot = h('span', { class: 'dot starting', title: 'source state' });
    const stat = (key: string, label: string) => {
      const value = h('dd', { 'data-testid': `stat-${key}` }, '–');
      this.cells.set(key, value);
      return h('div', { class: 'stat' }, h('dt', {}, label), value);
    };
    this.element = h('dl', { class: 'health' },
      stat('source', 'Source'),
      stat('sourceFps', 'Source fps'),
      stat('pipelineFps', 'Pipeline fps'),
      stat('detectFps', 'Detect fps'),
      stat('detectMs', 'Detect time'),
      stat('dropped', 'Frames skipped'),
      stat('stagePace', 'Stage pace'),
      stat('viewFps', 'View fps'),
      stat('viewers', 'Viewers'),
      stat('myDrops', 'Updates dropped'),
      stat('rss', 'Server memory'),
      stat('loop', 'Server loop delay p50 / p99 / max'),
    );
  }

  updateHealth(health: Health): void {
    this.set('source', health.source.message ? `${health.source.state}: ${health.source.message}` : health.source.state);
    this.set('sourceFps', health.source.fps.toFixed(1));
    this.set('pipelineFps', health.pipeline.fps.toFixed(1));
    this.set('detectFps', health.pipeline.detectFps.toFixed(1));
    this.set('detectMs', health.pipeline.detectMs === null ? '–' : `${health.pipeline.detectMs.toFixed(0)} ms`);
    this.set('dropped', String(health.pipeline.droppedFrames));
    const pace = health.pipeline.stagePace;
    this.set('stagePace', pace === null ? '–' : `${stagePacePercent(pace)}${stageTooFast(pace) ? ' · slow down' : ''}`);
    const paceCell = this.cells.get('stagePace');
    if (paceCell !== undefined) {
      paceCell.classList.toggle('warn', stageTooFast(pace));
      paceCell.title = 'stage step between analysed frames, as a share of the most that still lets every cell be seen whole often enough to count';
    }
    this.sourceDot.className = `dot ${health.source.state}`;
    this.sourceDot.title = `source ${health.source.state}`;
  }

  updateMetrics(metrics: Metrics): void {
    this.set('viewFps', metrics.sentFps.toFixed(1));
    this.set('viewers', String(metrics.viewers));
    const drops = Object.values(metrics.dropped).reduce((a, b) => a + b, 0);
    this.set('myDrops', String(drops));
    this.set('rss', formatBytes(metrics.rssBytes));
    const d = metrics.eventLoopDelay;
    this.set('loop', d === undefined ? `${metrics.eventLoopDelayMs.toFixed(0)} ms` : `${d.p50Ms.toFixed(0)} / ${d.p99Ms.toFixed(0)} / ${d.maxMs.toFixed(0)} ms`);
  }

  private set(key: string, text: string): void {
    const el = this.cells.get(key);
    if (el !== undefined && el.textContent !== text) el.textContent = text;
  }
}
