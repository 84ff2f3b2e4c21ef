import { AppError } from '../../server/http/app-error.js';
import { formatBytes } from '../scorm/scorm.errors.js';

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
  coverMissing: () => new AppError('catalogue.cover_missing', 400, 'Choose a PNG, JPEG or WebP image to upload as the cover.', { fields: { cover: 'choose an image file' } }),
  /** what: what the file turned out to be, as the end of a sentence ("a GIF image", "a PNG image that cannot be decoded"). */
  coverNotImage: (what: string) =>
    new AppError('catalogue.cover_not_image', 400, `The cover must be a PNG, JPEG or WebP image; this file is ${what}. Save or export it as one of those and upload it again.`, {
      what,
      fields: { cover: 'upload a PNG, JPEG or WebP image' },
    }),
  coverTooManyPixels: (width: number, height: number, maxPixels: number) =>
    new AppError(
      'catalogue.cover_too_many_pixels',
      400,
      `The image is ${width} × ${height} pixels; a cover may have at most ${Math.round(maxPixels / 1_000_000)} million pixels. Scale it down (1280 × 720 is plenty) and upload it again.`,
      { width, height, fields: { cover: 'scale the image down' } },
    ),
  coverTooLarge: (maxBytes: number) =>
    new AppError('catalogue.cover_too_large', 413, `The image is larger than the ${formatBytes(maxBytes)} a cover may be. Save it smaller (1280 × 720 pixels is plenty) and upload it again.`, {
      fields: { cover: `choose an image of at most ${formatBytes(maxBytes)}` },
    }),
};
