import { AppError } from '../../server/http/app-error.js';
import type { PlacementBox } from './placement.schema.js';

/** Expected failures of co-branding a PDF or an image. */
export const cobrandingErrors = {
  templateInvalid: (issues: readonly string[]) =>
    new AppError('cobranding.template_invalid', 400, `The placement template is not valid: ${issues.join('; ')}.`, { issues }),
  pdfEncrypted: () =>
    new AppError('cobranding.pdf_encrypted', 422, 'This PDF is encrypted or password-protected, so it cannot be co-branded. Upload a copy saved without protection.'),
  pdfCorrupt: () =>
    new AppError('cobranding.pdf_corrupt', 422, 'This file cannot be read as a PDF. Export it from the original application again and upload the new copy.'),
  imageUnsupported: (what: string) =>
    new AppError('cobranding.image_unsupported', 422, `Only PNG, JPEG and WebP images can be co-branded; this file is ${what}.`, { what }),
  logoUnreadable: () => new AppError('cobranding.logo_unreadable', 422, 'The organisation logo cannot be decoded as an image. Upload the logo again as a PNG.'),
  pageMissing: (fieldIndex: number, page: number, pageCount: number) =>
    new AppError('cobranding.page_missing', 422, `Placement ${fieldIndex + 1} is on page ${page}, but the document has ${pageCount} page(s).`, {
      fieldIndex,
      page,
      pageCount,
    }),
  boxOutsidePage: (fieldIndex: number, box: PlacementBox, pageWidth: number, pageHeight: number) =>
    new AppError(
      'cobranding.box_outside_page',
      422,
      `Placement ${fieldIndex + 1} (x ${box.x}, y ${box.y}, ${box.width} × ${box.height}) does not lie inside the ${pageWidth} × ${pageHeight} page.`,
      { fieldIndex, box, pageWidth, pageHeight },
    ),
  logoNotImage: (what: string) =>
    new AppError('cobranding.logo_not_image', 422, `The logo must be a PNG, JPEG or SVG image; this file is ${what}. Export the logo as PNG and upload it again.`, {
      fields: { logo: 'is not a PNG, JPEG or SVG image' },
    }),
  logoMissing: () => new AppError('cobranding.logo_missing', 400, 'Choose a logo file (PNG, JPEG or SVG) to upload.', { fields: { logo: 'choose a file' } }),
  logoTooLarge: (maxBytes: number) =>
    new AppError('cobranding.logo_too_large', 413, `The logo file is larger than ${Math.round(maxBytes / (1024 * 1024))} MB. Export a smaller PNG and upload it again.`, {
      fields: { logo: 'is too large' },
    }),
  logoTooManyPixels: (width: number, height: number, maxPixels: number) =>
    new AppError(
      'cobranding.logo_too_many_pixels',
      422,
      `The logo is ${width} × ${height} pixels; logos may have at most ${(maxPixels / 1_000_000).toFixed(0)} million pixels. Scale it down and upload it again.`,
      { width, height, fields: { logo: 'has too many pixels' } },
    ),
  logoBlank: () => new AppError('cobranding.logo_blank', 422, 'The logo is empty (fully transparent or a single colour). Upload the logo artwork itself.', { fields: { logo: 'is empty' } }),
  svgUnsafe: (reason: string) =>
    new AppError('cobranding.svg_unsafe', 422, `This SVG cannot be used as a logo because it ${reason}. Export it again as a plain drawing or as PNG.`, {
      reason,
      fields: { logo: 'is not a plain SVG drawing' },
    }),
  assetNotCobrandable: (why: string) => new AppError('cobranding.asset_not_cobrandable', 409, `This asset cannot be co-branded: ${why}`, { why }),
  notCobranded: () => new AppError('cobranding.not_cobranded', 404, 'This asset has no co-branding template, so there is no co-branded version to download.'),
  organisationRequired: () =>
    new AppError('cobranding.organisation_required', 400, 'Choose the partner organisation whose branding to apply (organisationId).', { fields: { organisationId: 'choose a partner organisation' } }),
  placementsUnreadable: () => new AppError('cobranding.placements_unreadable', 400, 'The placements could not be read. Reload the editor and try again.'),
};
