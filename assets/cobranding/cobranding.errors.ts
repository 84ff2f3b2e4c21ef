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
};
