import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { certificationErrors } from './certifications.errors.js';

/** Verification lookups per client address per minute: plenty for people checking certificates, far too few to walk ids. */
export const VERIFY_LOOKUPS_PER_MINUTE = 30;

/**
 * Counts every verification lookup per client address (found or not, so probing unknown ids costs the same as
 * checking real ones). In memory, like the login throttle: one process serves the app.
 */
export function createVerificationThrottle(perMinute = VERIFY_LOOKUPS_PER_MINUTE) {
  const limiter = new RateLimiterMemory({ keyPrefix: 'certificate_verify', points: perMinute, duration: 60 });
  return {
    /** Throws certification.verify_throttled (429) once the address has used its lookups for the minute. */
    async consume(clientAddress: string): Promise<void> {
      try {
        await limiter.consume(clientAddress || 'unknown');
      } catch (err) {
        if (err instanceof RateLimiterRes) throw certificationErrors.verifyThrottled(err.msBeforeNext / 1000);
        throw err;
      }
    },
  };
}

export type VerificationThrottle = ReturnType<typeof createVerificationThrottle>;
