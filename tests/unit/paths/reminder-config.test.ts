import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../server/config/config.js';

describe('learning path reminder settings', () => {
  it('default to 7 days before the due date, at most every 72 hours', () => {
    expect(loadConfig({}).paths).toEqual({ reminderDaysBefore: 7, reminderIntervalMs: 72 * 3600_000 });
  });

  it('read PATH_REMINDER_DAYS_BEFORE and PATH_REMINDER_INTERVAL_HOURS', () => {
    expect(loadConfig({ PATH_REMINDER_DAYS_BEFORE: '3', PATH_REMINDER_INTERVAL_HOURS: '24' }).paths).toEqual({ reminderDaysBefore: 3, reminderIntervalMs: 24 * 3600_000 });
  });

  it('refuse values that are not whole numbers above 0, naming the variable', () => {
    expect(() => loadConfig({ PATH_REMINDER_INTERVAL_HOURS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ PATH_REMINDER_DAYS_BEFORE: 'soon' })).toThrow(/PATH_REMINDER_DAYS_BEFORE/);
  });
});
