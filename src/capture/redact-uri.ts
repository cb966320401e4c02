/**
 * Camera credentials never leave the process: `rtsp://user:password@host/…` is shown as
 * `rtsp://user:***@host/…` wherever a source URI is sent to a viewer, written to a report or
 * printed. The full URI is used only where the source is opened. Pure.
 */

/** scheme://userinfo@ — userinfo without '/', '@' or whitespace (RFC 3986 authority). */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*)(?::([^/@\s]*))?@/gi;

const MASK = '***';

/**
 * The URI with its password masked (`rtsp://user:***@host/…`); a user name alone (`rtsp://token@host`)
 * may be a secret too and is masked the same way. A URI without credentials comes back unchanged.
 * Works on free text as well (an ffmpeg error that quotes the URL): every URI in it is redacted.
 */
export function redactUri(uri: string): string {
  return uri.replace(CREDENTIALS, (_all, scheme: string, user: string, password: string | undefined) =>
    password === undefined ? `${scheme}${MASK}@` : `${scheme}${user}:${MASK}@`,
  );
}

/** Deep copy of a JSON-like value with every string redacted (stored event details). */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactUri(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactValue(v)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)])) as T;
  }
  return value;
}
