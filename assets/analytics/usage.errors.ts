import { AppError } from '../../server/http/app-error.js';

/** Expected failures of the library usage report. */
export const usageErrors = {
  invalidPeriod: (fields: Record<string, string>) =>
    new AppError('usage.invalid_period', 400, 'The report was not updated: please correct the dates marked below.', { fields }),
  organisationUnknown: () =>
    new AppError('usage.organisation_unknown', 400, 'Choose one of the listed partner organisations.', { fields: { organisationId: 'is not a known partner organisation' } }),
};
