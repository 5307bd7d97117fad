// Bearer secrets (session and API tokens): random, shown once, stored only as a sha256 hash.
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_PREFIX = 'lls_';
export const API_TOKEN_PREFIX = 'llt_';

export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
