import { AppError } from '../../server/http/app-error.js';

/** "2 GiB", "1.5 MiB", "800 bytes": sizes in messages an enablement manager reads. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 ? String(value) : String(Math.round(value * 10) / 10);
  return `${rounded} ${units[unit]}`;
}

/** Names in messages are quoted as JSON strings so that control characters and odd spaces stay visible. */
const quote = (name: string) => JSON.stringify(name);

const REEXPORT = 'Export the package again from your authoring tool and upload the new zip.';

/**
 * Everything that can be wrong with an uploaded SCORM package. 400: the zip itself is broken or hostile;
 * 413: it is over a size limit; 422: it is a readable zip but not a package we can import.
 */
export const scormErrors = {
  uploadTooLarge: (maxBytes: number) =>
    new AppError('scorm.upload_too_large', 413, `The upload is larger than the ${formatBytes(maxBytes)} a package may be. Remove unused media from the package, or ask an administrator to raise SCORM_MAX_UPLOAD.`),
  uploadMissing: () => new AppError('scorm.upload_missing', 400, 'Choose the SCORM package (.zip) to upload.', { fields: { package: 'choose a .zip file' } }),
  notAZip: (why: string) =>
    new AppError('scorm.not_a_zip', 400, `The uploaded file is not a readable zip archive (${why}). Upload the .zip file your authoring tool exported as a SCORM package.`),
  pathTraversal: (entry: string, why: string) =>
    new AppError(
      'scorm.path_traversal',
      400,
      `The zip contains the entry ${quote(entry)}, which ${why}. Entries must be relative paths inside the package, separated by "/". ${REEXPORT}`,
      { entry },
    ),
  invalidEntryName: (entry: string, why: string) =>
    new AppError('scorm.invalid_entry_name', 400, `The zip contains the entry ${quote(entry)}, whose name ${why}. Rename it and zip the package again.`, { entry }),
  symlinkEntry: (entry: string) =>
    new AppError(
      'scorm.symlink_entry',
      400,
      `The zip entry ${quote(entry)} is a symbolic link. Packages may only contain ordinary files and folders: replace the link with the file it points to and zip the package again.`,
      { entry },
    ),
  duplicateEntry: (entry: string, other: string) =>
    new AppError(
      'scorm.duplicate_entry',
      400,
      entry === other
        ? `The zip contains ${quote(entry)} more than once. Each file may appear only once: ${REEXPORT}`
        : `The zip contains both ${quote(other)} and ${quote(entry)}, which are the same path on case-insensitive file systems and web servers. Rename one of them (and the links to it) and zip the package again.`,
      { entry, other },
    ),
  fileAndFolder: (path: string) =>
    new AppError(
      'scorm.duplicate_entry',
      400,
      `The zip uses ${quote(path)} both as a file and as a folder (ignoring letter case). Rename one of them and zip the package again.`,
      { entry: path },
    ),
  overlappingEntries: (entry: string, other: string) =>
    new AppError(
      'scorm.overlapping_entries',
      400,
      `The zip entries ${quote(other)} and ${quote(entry)} share the same stored data, a trick used by zip bombs. ${REEXPORT}`,
      { entry, other },
    ),
  /** entry is null when yauzl refuses a stored entry before telling us its name. */
  entrySizeMismatch: (entry: string | null, declared: number, actual: string) =>
    new AppError(
      'scorm.entry_size_mismatch',
      400,
      `${entry === null ? 'A stored (uncompressed) zip entry' : `The zip entry ${quote(entry)}`} declares ${declared} bytes but ${actual}. The zip is damaged or was tampered with. ${REEXPORT}`,
      { entry, declaredBytes: declared },
    ),
  corruptEntry: (entry: string, why: string) =>
    new AppError('scorm.corrupt_entry', 400, `The zip entry ${quote(entry)} could not be unpacked (${why}). The zip is damaged. ${REEXPORT}`, { entry }),
  encryptedEntry: (entry: string) =>
    new AppError('scorm.encrypted_entry', 422, `The zip entry ${quote(entry)} is password-protected. Zip the package again without a password.`, { entry }),
  unsupportedCompression: (entry: string, method: number) =>
    new AppError(
      'scorm.unsupported_compression',
      422,
      `The zip entry ${quote(entry)} uses compression method ${method}; only the standard methods "stored" and "deflate" are supported. Zip the package again with standard compression (Deflate64, LZMA and bzip2 are not).`,
      { entry, method },
    ),
  tooManyEntries: (count: number, max: number) =>
    new AppError(
      'scorm.too_many_entries',
      413,
      `The zip contains ${count} entries; a package may contain at most ${max}. Remove unused files from the package.`,
      { count, max },
    ),
  tooLarge: (totalBytes: number, maxBytes: number) =>
    new AppError(
      'scorm.too_large',
      413,
      `The package unpacks to more than ${formatBytes(maxBytes)} (at least ${formatBytes(totalBytes)}); the limit is ${formatBytes(maxBytes)} once unzipped. Reduce the size of videos and images, or split the course into several packages.`,
      { totalBytes, maxBytes },
    ),
  compressionRatio: (entry: string | null, ratio: number, max: number) =>
    new AppError(
      'scorm.compression_ratio',
      413,
      `${entry === null ? 'The zip as a whole' : `The zip entry ${quote(entry)}`} is compressed ${Number.isFinite(ratio) ? `${Math.round(ratio)} times` : 'infinitely'}, more than the ${max} times any real course content compresses; the zip looks like a zip bomb and was not unpacked.`,
      { entry, ratio: Number.isFinite(ratio) ? ratio : null, max },
    ),
  manifestMissing: (nestedAt: string | null) =>
    new AppError(
      'scorm.manifest_missing',
      422,
      nestedAt === null
        ? 'The zip has no imsmanifest.xml, so it is not a SCORM package. Export the course as SCORM 1.2 or SCORM 2004 from your authoring tool.'
        : `imsmanifest.xml must be at the root of the zip, found at ${nestedAt}. Zip the contents of the folder ${nestedAt.slice(0, nestedAt.lastIndexOf('/') + 1)} rather than the folder itself.`,
      { nestedAt },
    ),
  manifestTooLarge: (entry: string, bytes: number, maxBytes: number) =>
    new AppError(
      'scorm.manifest_too_large',
      413,
      `${entry} is ${formatBytes(bytes)}; a manifest may be at most ${formatBytes(maxBytes)}. ${REEXPORT}`,
      { entry, bytes, maxBytes },
    ),
  manifestUnparsable: (why: string) =>
    new AppError('scorm.manifest_unparsable', 422, `imsmanifest.xml could not be read: ${why}. ${REEXPORT}`),
  manifestDoctype: (what: '<!DOCTYPE' | '<!ENTITY') =>
    new AppError(
      'scorm.manifest_doctype',
      422,
      `imsmanifest.xml contains a ${what} declaration. SCORM manifests are described by XML schemas, never by DTDs or entities, and declarations like this one are used to attack XML readers, so the package was not imported. ${REEXPORT}`,
    ),
  nothingLaunchable: (why: string) =>
    new AppError(
      'scorm.nothing_launchable',
      422,
      `The package has nothing a learner could launch: ${why}. A SCORM package needs at least one item in its organization that points to a resource with an href.`,
    ),
  launchOutsidePackage: (itemOrResource: string, href: string, why: string) =>
    new AppError(
      'scorm.launch_outside_package',
      422,
      `${itemOrResource} launches ${quote(href)}, which ${why}. Launch pages must be files inside the package, given as relative paths. Correct the href in imsmanifest.xml.`,
      { href },
    ),
  launchFileMissing: (missing: ReadonlyArray<{ item: string; path: string; didYouMean: string | null }>) =>
    new AppError(
      'scorm.launch_file_missing',
      422,
      `The package does not contain the launch ${missing.length === 1 ? 'page' : 'pages'} of ${missing
        .slice(0, 5)
        .map((m) => `item ${quote(m.item)}: ${quote(m.path)}${m.didYouMean === null ? '' : ` (the zip has ${quote(m.didYouMean)}; letter case matters on the web)`}`)
        .join('; ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}. Add the missing files or correct the hrefs in imsmanifest.xml.`,
      { missing: missing.map((m) => ({ ...m })) },
    ),
  unsupportedFormat: (what: 'AICC') =>
    new AppError(
      'scorm.unsupported_format',
      422,
      `This looks like an ${what} course (it has AICC course structure files and no imsmanifest.xml). ${what} is not supported; only SCORM 1.2 and SCORM 2004 packages are. Export the course as SCORM from your authoring tool.`,
      { format: what },
    ),
};
