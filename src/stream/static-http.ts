/**
 * The dashboard's HTTP side: the three UI files (the page with its CSP) and
 * /healthz, GET and HEAD only, no caching, no referrer (the token travels in
 * the page URL). Everything else is 404; other methods 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UiAssets } from './ui-assets.js';

/** The page's Content-Security-Policy: only its own script, style and socket; never framed. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // The token travels in the page URL: never send it on as a referrer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** Answers one request. `health` builds the /healthz body (no secrets, no scan data). */
export function serveStatic(req: IncomingMessage, res: ServerResponse, ui: UiAssets, health: () => object): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...COMMON_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const send = (type: string, body: Buffer | string, extra: Record<string, string> = {}) => {
    res.writeHead(200, { ...COMMON_HEADERS, ...extra, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  switch (url.pathname) {
    case '/':
    case '/index.html':
      send('text/html; charset=utf-8', ui.html, { 'Content-Security-Policy': DASHBOARD_CSP });
      return;
    case '/app.js':
      send('text/javascript; charset=utf-8', ui.js);
      return;
    case '/app.css':
      send('text/css; charset=utf-8', ui.css);
      return;
    case '/healthz':
      send('application/json', JSON.stringify(health()));
      return;
    default:
      res.writeHead(404, { ...COMMON_HEADERS, 'Content-Type': 'text/plain' }).end('not found\n');
  }
}
