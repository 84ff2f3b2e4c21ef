import { AppError } from '../../server/http/app-error.js';

/** Expected failures of the gamification settings. */
export const gamificationErrors = {
  seasonNotFound: () => new AppError('gamification.season_not_found', 404, 'That season does not exist (any more).'),
  badgeNotFound: () => new AppError('gamification.badge_not_found', 404, 'That badge does not exist (any more).'),
  badgeHeld: (holders: number) =>
    new AppError(
      'gamification.badge_held',
      409,
      `This badge cannot be deleted: ${holders === 1 ? '1 person has' : `${holders} people have`} already earned it, and earned badges stay on their profiles. Rename it or change its description instead.`,
      { fields: { confirm: 'already earned, so it cannot be deleted' } },
    ),
  invalidDay: (field: string) => new AppError('gamification.invalid_day', 400, 'That is not a calendar day. Enter a real date as YYYY-MM-DD.', { fields: { [field]: 'enter a real date' } }),
};
