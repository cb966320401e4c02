/**
 * Tokens for the dashboard: one operator token (may control the scan) and one
 * viewer token (read-only). Each is generated with crypto.randomBytes when not
 * given. Comparison is constant-time over SHA-256 digests.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './protocol.js';

export const TOKEN_BYTES = 24;
export const MIN_TOKEN_CHARS = 16;

export interface AuthOptions {
  operatorToken?: string;
  viewerToken?: string;
}

export interface Auth {
  readonly operatorToken: string;
  readonly viewerToken: string;
  /** Which tokens were generated here (and so must be shown to the user once). */
  readonly generated: { operator: boolean; viewer: boolean };
  /** The role a presented token grants, or null. */
  roleFor(token: string | null | undefined): Role | null;
}

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function checkToken(name: string, token: string): void {
  if (token.length < MIN_TOKEN_CHARS) {
    throw new Error(`${name} token is too short: use at least ${MIN_TOKEN_CHARS} characters (or leave it out to generate one)`);
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new Error(`${name} token must be printable ASCII without spaces`);
  }
}

export function createAuth(options: AuthOptions = {}): Auth {
  const operatorToken = options.operatorToken ?? generateToken();
  const viewerToken = options.viewerToken ?? generateToken();
  checkToken('operator', operatorToken);
  checkToken('viewer', viewerToken);
  if (operatorToken === viewerToken) throw new Error('operator and viewer tokens must differ');
  const operatorDigest = digest(operatorToken);
  const viewerDigest = digest(viewerToken);
  return {
    operatorToken,
    viewerToken,
    generated: { operator: options.operatorToken === undefined, viewer: options.viewerToken === undefined },
    roleFor(token) {
      if (typeof token !== 'string' || token.length === 0) return null;
      const presented = digest(token);
      // Compare against both so the time taken does not say which one matched.
      const isOperator = timingSafeEqual(presented, operatorDigest);
      const isViewer = timingSafeEqual(presented, viewerDigest);
      return isOperator ? 'operator' : isViewer ? 'viewer' : null;
    },
  };
}
