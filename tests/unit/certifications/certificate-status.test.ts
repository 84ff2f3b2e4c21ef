import { describe, expect, it } from '@jest/globals';
import { addMonths, certificateStatus, expiryOfEarning, isInRecertWindow, isPublicId, newPublicId } from '../../../courses/certifications/certificate-status.js';

const at = (iso: string) => new Date(iso);

describe('certificate status', () => {
  const certificate = { expiresAt: at('2027-06-01T00:00:00Z'), revokedAt: null };

  it('is valid before expiry, expired from the expiry instant on, and revoked whatever the date', () => {
    expect(certificateStatus(certificate, at('2027-05-31T23:59:59Z'))).toBe('valid');
    expect(certificateStatus(certificate, at('2027-06-01T00:00:00Z'))).toBe('expired');
    expect(certificateStatus({ ...certificate, revokedAt: at('2027-01-01T00:00:00Z') }, at('2026-12-01T00:00:00Z'))).toBe('revoked');
    expect(certificateStatus({ ...certificate, revokedAt: at('2027-01-01T00:00:00Z') }, at('2028-01-01T00:00:00Z'))).toBe('revoked');
  });

  it('is in the recertification window from expiry minus the window until expiry, and only while valid', () => {
    expect(isInRecertWindow(certificate, 30, at('2027-05-01T23:59:59Z'))).toBe(false);
    expect(isInRecertWindow(certificate, 30, at('2027-05-02T00:00:00Z'))).toBe(true);
    expect(isInRecertWindow(certificate, 30, at('2027-06-01T00:00:00Z'))).toBe(false);
    expect(isInRecertWindow({ ...certificate, revokedAt: at('2027-05-10T00:00:00Z') }, 30, at('2027-05-20T00:00:00Z'))).toBe(false);
  });
});

describe('expiry of an earning', () => {
  it('adds calendar months, keeping the day or ending on the last day of a shorter month', () => {
    expect(addMonths(at('2026-11-25T10:00:00Z'), 12).toISOString()).toBe('2027-11-25T10:00:00.000Z');
    expect(addMonths(at('2027-01-31T10:00:00Z'), 1).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(addMonths(at('2028-01-31T10:00:00Z'), 1).toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(addMonths(at('2026-12-15T00:00:00Z'), 2).toISOString()).toBe('2027-02-15T00:00:00.000Z');
  });

  it('runs from now for a first earning or after a lapse or revocation, from the previous expiry for an early renewal', () => {
    const now = at('2027-05-20T00:00:00Z');
    expect(expiryOfEarning(null, 12, now).toISOString()).toBe('2028-05-20T00:00:00.000Z');
    expect(expiryOfEarning({ expiresAt: at('2027-06-01T00:00:00Z'), revokedAt: null }, 12, now).toISOString()).toBe('2028-06-01T00:00:00.000Z');
    expect(expiryOfEarning({ expiresAt: at('2027-05-01T00:00:00Z'), revokedAt: null }, 12, now).toISOString()).toBe('2028-05-20T00:00:00.000Z');
    expect(expiryOfEarning({ expiresAt: at('2027-06-01T00:00:00Z'), revokedAt: at('2027-05-10T00:00:00Z') }, 12, now).toISOString()).toBe('2028-05-20T00:00:00.000Z');
  });
});

describe('public ids', () => {
  it('are 128 random bits in base64url, and only that shape is accepted', () => {
    const ids = new Set(Array.from({ length: 1000 }, newPublicId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isPublicId(id)).toBe(true);
    expect(Buffer.from([...ids][0]!, 'base64url')).toHaveLength(16);
    for (const bad of ['', 'short', 'A'.repeat(23), `${'A'.repeat(21)}=`, `${'A'.repeat(21)}/`, 42, null]) expect(isPublicId(bad)).toBe(false);
  });
});
