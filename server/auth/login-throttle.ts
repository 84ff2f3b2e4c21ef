import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AppConfig } from '../config/config.js';
import { authErrors } from './auth.errors.js';

/**
 * Counts failed sign-ins per account and per IP (rate-limiter-flexible, in memory: one process serves
 * the app; a multi-process deployment would switch to its Redis or Postgres store).
 * Only failures count, and a success clears the account's counter.
 */
export function createLoginThrottle(config: AppConfig['loginThrottle']) {
  const duration = Math.ceil(config.lockoutMs / 1000);
  const perAccount = new RateLimiterMemory({ keyPrefix: 'login_account', points: config.maxFailuresPerAccount, duration });
  const perIp = new RateLimiterMemory({ keyPrefix: 'login_ip', points: config.maxFailuresPerIp, duration });

  return {
    /** Throws auth.too_many_attempts when either counter is exhausted. */
    async assertAllowed(email: string, ip: string): Promise<void> {
      const [account, address] = await Promise.all([perAccount.get(email), perIp.get(ip)]);
      for (const [res, limit] of [
        [account, config.maxFailuresPerAccount],
        [address, config.maxFailuresPerIp],
      ] as const) {
        if (res && res.consumedPoints >= limit) throw authErrors.throttled(res.msBeforeNext / 1000);
      }
    },
    async recordFailure(email: string, ip: string): Promise<void> {
      await Promise.all([perAccount.penalty(email, 1), perIp.penalty(ip, 1)]);
    },
    async recordSuccess(email: string): Promise<void> {
      await perAccount.delete(email);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
