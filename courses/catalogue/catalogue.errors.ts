import { AppError } from '../../server/http/app-error.js';

/** Expected failures of the catalogue, enrolment, course settings and assignments. */
export const catalogueErrors = {
  notEnrollable: (status: string) =>
    new AppError(
      'catalogue.not_enrollable',
      409,
      status === 'archived' ? 'This course has been archived and takes no new enrolments.' : 'This course is not published yet, so nobody can enrol in it.',
      { status },
    ),
  publishWithoutContent: () =>
    new AppError('catalogue.no_content', 409, 'A course without an uploaded package cannot be published. Upload a SCORM package first.', {
      fields: { status: 'upload a package before publishing' },
    }),
  tierUnknown: () => new AppError('catalogue.tier_unknown', 400, 'One of the chosen tiers no longer exists. Reload the page and choose again.', { fields: { visibleTierIds: 'choose listed tiers only' } }),
  organisationUnknown: () =>
    new AppError('catalogue.organisation_unknown', 400, 'Choose one of the listed organisations.', { fields: { organisationId: 'is not a known organisation' } }),
  roleOutsideOrganisation: (organisationName: string) =>
    new AppError('catalogue.role_outside_organisation', 400, `Nobody at ${organisationName} can have that role. Choose a role people there have, or any role.`, {
      fields: { role: 'is not a role at that organisation' },
    }),
  assignmentExists: () =>
    new AppError('catalogue.assignment_exists', 409, 'The course is already assigned to exactly these people.', { fields: { organisationId: 'already assigned' } }),
};
