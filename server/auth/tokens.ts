import { createHash, randomBytes } from 'node:crypto';

/** A URL-safe single-use token for emailed links; only its hash is stored. */
export function createEmailToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashEmailToken(token) };
}

export function hashEmailToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
