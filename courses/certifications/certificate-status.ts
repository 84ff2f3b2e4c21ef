import { randomBytes } from 'node:crypto';

/** What the verification page and every list say about a certificate at a moment. */
export type CertificateStatus = 'valid' | 'expired' | 'revoked';

export const CERTIFICATE_STATUS_LABELS: Readonly<Record<CertificateStatus, string>> = { valid: 'Valid', expired: 'Expired', revoked: 'Revoked' };

/** Revoked wins over expired: a revoked certificate says so even after its date has passed. */
export function certificateStatus(certificate: { expiresAt: Date; revokedAt: Date | null }, now: Date): CertificateStatus {
  if (certificate.revokedAt !== null) return 'revoked';
  return now.getTime() >= certificate.expiresAt.getTime() ? 'expired' : 'valid';
}

const DAY_MS = 86_400_000;

/** When the recertification window of a certificate opens. */
export function recertWindowOpensAt(expiresAt: Date, windowDays: number): Date {
  return new Date(expiresAt.getTime() - windowDays * DAY_MS);
}

/** A valid certificate whose recertification window has opened: the holder should recertify by its expiry. */
export function isInRecertWindow(certificate: { expiresAt: Date; revokedAt: Date | null }, windowDays: number, now: Date): boolean {
  return certificateStatus(certificate, now) === 'valid' && now.getTime() >= recertWindowOpensAt(certificate.expiresAt, windowDays).getTime();
}

/** Calendar months later, in UTC; the 31st becomes the last day of a shorter month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

/**
 * When a new earning expires: a renewal while the previous certificate is still valid extends from its expiry (recertifying
 * early costs the holder nothing); otherwise the validity runs from now.
 */
export function expiryOfEarning(previous: { expiresAt: Date; revokedAt: Date | null } | null, validityMonths: number, now: Date): Date {
  const from = previous !== null && certificateStatus(previous, now) === 'valid' ? previous.expiresAt : now;
  return addMonths(from, validityMonths);
}

/** 128 random bits as base64url (22 characters): the certificate's public id. */
export function newPublicId(): string {
  return randomBytes(16).toString('base64url');
}

const PUBLIC_ID = /^[A-Za-z0-9_-]{22}$/;

/** Only the shape newPublicId makes; anything else is answered like an unknown id without touching the database. */
export function isPublicId(value: unknown): value is string {
  return typeof value === 'string' && PUBLIC_ID.test(value);
}
