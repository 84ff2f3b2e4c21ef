import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Launch tokens: what the content origin accepts instead of a session. The app mints one when a learner
 * launches an attempt; it rides in the URL path (`<content origin>/c/<token>/<path in package>`), so every
 * relative link inside the package carries it along without the package knowing.
 *
 * Format: `<payload>.<signature>`, both base64url (no padding), 118 characters, safe in a path segment.
 *   payload   = 1 byte format (1) | user id (16 bytes) | attempt id (16) | version id (16) | expiry, ms since epoch (6, big-endian)
 *   signature = HMAC-SHA256(key, payload bytes)
 * The key is derived from the session secret (HKDF-SHA256, info "launch-token"), never the secret itself,
 * so a token can never be confused with a signed session cookie and leaking one says nothing about the other.
 */

const FORMAT = 1;
const UUID_BYTES = 16;
const EXPIRY_BYTES = 6;
const PAYLOAD_BYTES = 1 + 3 * UUID_BYTES + EXPIRY_BYTES;
const SIGNATURE_BYTES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{74}\.[A-Za-z0-9_-]{43}$/;

declare const launchTokenKeyBrand: unique symbol;
/** A key made by deriveLaunchTokenKey; the type keeps the raw session secret from being passed by mistake. */
export type LaunchTokenKey = Buffer & { readonly [launchTokenKeyBrand]: true };

export interface LaunchClaims {
  userId: string;
  attemptId: string;
  versionId: string;
}

export interface VerifiedLaunchClaims extends LaunchClaims {
  expiresAt: Date;
}

/** The dedicated launch-token key: HKDF-SHA256 of the session secret with the label "launch-token". */
export function deriveLaunchTokenKey(sessionSecret: string): LaunchTokenKey {
  if (sessionSecret.length === 0) throw new Error('deriveLaunchTokenKey: the session secret is empty');
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'partner-academy', 'launch-token', 32)) as LaunchTokenKey;
}

/** A token for one learner's attempt on one package version, valid for ttlMs from now. */
export function createLaunchToken(claims: LaunchClaims, key: LaunchTokenKey, ttlMs: number, now: Date): string {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`createLaunchToken: ttlMs must be a positive whole number, got ${ttlMs}`);
  const expiresAt = now.getTime() + ttlMs;
  if (!Number.isSafeInteger(expiresAt) || expiresAt >= 2 ** (8 * EXPIRY_BYTES)) throw new RangeError('createLaunchToken: expiry out of range');
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(FORMAT, 0);
  uuidToBytes(claims.userId, 'userId').copy(payload, 1);
  uuidToBytes(claims.attemptId, 'attemptId').copy(payload, 1 + UUID_BYTES);
  uuidToBytes(claims.versionId, 'versionId').copy(payload, 1 + 2 * UUID_BYTES);
  payload.writeUIntBE(expiresAt, 1 + 3 * UUID_BYTES, EXPIRY_BYTES);
  return `${payload.toString('base64url')}.${sign(payload, key).toString('base64url')}`;
}

/** The claims of a genuine, unexpired token; null for anything else (malformed, tampered, signed with another key, expired). */
export function verifyLaunchToken(token: string, key: LaunchTokenKey, now: Date): VerifiedLaunchClaims | null {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
  const [payloadPart, signaturePart] = token.split('.') as [string, string];
  const payload = Buffer.from(payloadPart, 'base64url');
  const signature = Buffer.from(signaturePart, 'base64url');
  // base64url decoding ignores the spare low bits of the last character; insisting on the canonical
  // spelling makes each token have exactly one string, so a changed character is always a different token.
  if (payload.length !== PAYLOAD_BYTES || signature.length !== SIGNATURE_BYTES) return null;
  if (payload.toString('base64url') !== payloadPart || signature.toString('base64url') !== signaturePart) return null;
  if (!timingSafeEqual(signature, sign(payload, key))) return null;
  if (payload.readUInt8(0) !== FORMAT) return null;
  const expiresAt = payload.readUIntBE(1 + 3 * UUID_BYTES, EXPIRY_BYTES);
  if (now.getTime() >= expiresAt) return null;
  return {
    userId: bytesToUuid(payload.subarray(1, 1 + UUID_BYTES)),
    attemptId: bytesToUuid(payload.subarray(1 + UUID_BYTES, 1 + 2 * UUID_BYTES)),
    versionId: bytesToUuid(payload.subarray(1 + 2 * UUID_BYTES, 1 + 3 * UUID_BYTES)),
    expiresAt: new Date(expiresAt),
  };
}

/**
 * The base URL a launched package lives under, ending in "/". Resolve a package-relative href against it as a
 * browser would: `new URL(item.launchHref, contentBaseUrl(origin, token))`.
 */
export function contentBaseUrl(contentOrigin: string, token: string): string {
  return `${contentOrigin.replace(/\/+$/, '')}/c/${token}/`;
}

function sign(payload: Buffer, key: LaunchTokenKey): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

function uuidToBytes(value: string, name: string): Buffer {
  if (!UUID.test(value)) throw new TypeError(`createLaunchToken: ${name} must be a UUID, got ${JSON.stringify(value)}`);
  return Buffer.from(value.replace(/-/g, ''), 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
