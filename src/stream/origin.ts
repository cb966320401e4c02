/**
 * Which browser pages may open the dashboard's WebSocket: its own origin (the
 * scheme and Host the page was served from) plus origins given with
 * `--allow-origin`. A client that sends no Origin is not a browser page (a
 * script, a monitoring client): only its token decides, as for every client.
 */

/** `text` as an origin (`http://host[:port]`, lower-case, default port dropped); throws on anything else. */
export function normaliseOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`bad origin '${text}': expected http://host[:port] or https://host[:port]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`bad origin '${text}': only http and https pages can be allowed`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new Error(`bad origin '${text}': an origin has no path, query or credentials`);
  }
  return url.origin;
}

/**
 * Whether an upgrade with this Origin header may proceed. `host` is the
 * request's Host header (the dashboard's own origin is http://<host>, or
 * https:// behind a TLS proxy that keeps the Host).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let normalised: string;
  try {
    normalised = normaliseOrigin(origin);
  } catch {
    return false; // 'null' (sandboxed pages, file://) and anything malformed
  }
  if (host !== undefined && sameHost(new URL(normalised).host, host)) return true;
  return allowed.includes(normalised);
}

function sameHost(originHost: string, hostHeader: string): boolean {
  try {
    return originHost === new URL(`http://${hostHeader}`).host;
  } catch {
    return false;
  }
}
