import { AppError } from '../../server/http/app-error.js';

/** Expected failures of the gamification settings. */
export const gamificationErrors = {
  seasonNotFound: () => new AppError('gamification.season_not_found', 404, 'That season does not exist (any more).'),
  invalidDay: (field: string) => new AppError('gamification.invalid_day', 400, 'That is not a calendar day. Enter a real date as YYYY-MM-DD.', { fields: { [field]: 'enter a real date' } }),
};
