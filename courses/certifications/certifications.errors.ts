import { AppError } from '../../server/http/app-error.js';

/** Expected failures of certifications, certificates, verification and tier requirements. */
export const certificationErrors = {
  nameTaken: (name: string) =>
    new AppError('certification.name_taken', 409, `A certification called "${name}" already exists. Choose another name, or edit that one.`, {
      fields: { name: 'is already used by another certification' },
    }),
  courseUnknown: (field: 'courseIds' | 'examCourseId') =>
    new AppError('certification.course_unknown', 400, 'One of the chosen courses no longer exists. Reload the page and choose again.', {
      fields: { [field]: 'choose listed courses only' },
    }),
  pathUnknown: (field: 'pathIds' | 'recertPathId') =>
    new AppError('certification.path_unknown', 400, 'One of the chosen learning paths no longer exists. Reload the page and choose again.', {
      fields: { [field]: 'choose listed learning paths only' },
    }),
  alreadyRevoked: () => new AppError('certification.already_revoked', 409, 'This certificate was already revoked; its reason stays as first recorded.'),
  tierRequirementExists: () =>
    new AppError('certification.tier_requirement_exists', 409, 'That tier already has a requirement for this certification and role. Remove it first to change the count.', {
      fields: { certificationId: 'already required for this tier and role' },
    }),
  tierUnknown: () => new AppError('certification.tier_unknown', 400, 'Choose one of the listed tiers.', { fields: { tierId: 'is not a known tier' } }),
  certificationUnknown: () => new AppError('certification.unknown', 400, 'Choose one of the listed certifications.', { fields: { certificationId: 'is not a known certification' } }),
  verifyThrottled: (retryAfterSeconds: number) =>
    new AppError('certification.verify_throttled', 429, 'Too many certificate checks from your network. Wait a minute and try again.', { retryAfterSeconds: Math.ceil(retryAfterSeconds) }),
};
