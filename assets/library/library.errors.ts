import { AppError } from '../../server/http/app-error.js';
import { formatBytes } from '../../courses/scorm/scorm.errors.js';

/** Refusals of the content library's uploads and forms; each message says what to do instead. */
export const libraryErrors = {
  uploadTooLarge: (maxBytes: number) =>
    new AppError('library.upload_too_large', 413, `The file is larger than the ${formatBytes(maxBytes)} the library accepts. Compress it or split it, or ask an administrator to raise ASSET_MAX_UPLOAD.`, {
      maxBytes,
    }),
  uploadMissing: () => new AppError('library.upload_missing', 400, 'Choose a file to upload.', { fields: { file: 'choose a file' } }),
  emptyFile: () => new AppError('library.empty_file', 400, 'The file is empty (0 bytes). Choose the file again; if it is empty on your computer too, export it again.', { fields: { file: 'the file is empty' } }),
  pdfTruncated: () =>
    new AppError('assets.corrupt_file', 422, 'This PDF file is cut short: its end is missing, so it was probably interrupted while downloading or uploading. Export or download it again and upload the complete file.', { kind: 'pdf' }),
  unsafeSvg: (problem: string) =>
    new AppError(
      'library.svg_unsafe',
      422,
      `This SVG cannot be accepted because it ${problem}. Export it again as a plain drawing (in Illustrator: File › Export › SVG with "Minify" and no scripts; or export a PNG instead).`,
      { problem },
    ),
  unknownManagedTags: () => new AppError('library.unknown_managed_tags', 400, 'One of the chosen tags no longer exists. Reload the page and choose again.', { fields: { managedTagIds: 'choose listed tags only' } }),
  unknownOwner: () => new AppError('library.unknown_owner', 400, 'The chosen owner is not a member of the vendor team. Choose one of the listed owners.', { fields: { ownerId: 'choose one of the listed owners' } }),
  oldVersionForManagersOnly: () => new AppError('library.old_version_forbidden', 403, 'Only the enablement team can download earlier versions. Download the current version instead.'),
  tagGroupExists: (name: string) => new AppError('library.tag_group_exists', 409, `A tag group named "${name}" already exists. Choose another name.`, { fields: { name: 'already exists' } }),
  tagExists: (label: string) => new AppError('library.tag_exists', 409, `The group already has the tag "${label}".`, { fields: { label: 'already exists' } }),
};
