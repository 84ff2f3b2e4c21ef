import { AppError } from '../../server/http/app-error.js';

/** Expected failures of learning paths: editing steps and rules, publishing. */
export const pathErrors = {
  publishWithoutSteps: () =>
    new AppError('paths.no_steps', 409, 'A path without steps cannot be published. Add at least one course or asset first.', { fields: { status: 'add a step before publishing' } }),
  courseUnavailable: () =>
    new AppError('paths.course_unavailable', 400, 'Only published courses can be steps of a path. Publish the course first, or choose another.', {
      fields: { target: 'choose a published course' },
    }),
  assetUnavailable: () =>
    new AppError('paths.asset_unavailable', 400, 'That asset is archived or has no file yet, so nobody could read it. Choose another.', { fields: { target: 'choose a live asset' } }),
  stepExists: () => new AppError('paths.step_exists', 409, 'That course or asset is already a step of this path.', { fields: { target: 'already a step' } }),
  tierUnknown: () => new AppError('paths.tier_unknown', 400, 'One of the chosen tiers no longer exists. Reload the page and choose again.', { fields: { tierIds: 'choose listed tiers only' } }),
  organisationUnknown: () =>
    new AppError('paths.organisation_unknown', 400, 'One of the chosen organisations no longer exists. Reload the page and choose again.', {
      fields: { organisationIds: 'choose listed organisations only' },
    }),
};
