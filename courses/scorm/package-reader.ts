import { DEFAULT_PACKAGE_LIMITS, withPackageZip, type ExtractOptions, type PackageEntry, type PackageLimits, type PackageZip, type WriteEntry } from './package-zip.js';
import { flattenItems, parseManifest, type ParsedManifest } from './manifest.js';
import { scormErrors } from './scorm.errors.js';

export const MANIFEST_NAME = 'imsmanifest.xml';

/**
 * Files an AICC course is made of (course, assignable units, descriptors, structure); AICC packages have no
 * imsmanifest.xml, and importing them as SCORM would fail in confusing ways.
 */
const AICC_EXTENSIONS = new Set(['crs', 'au', 'des', 'cst']);

/** macOS Finder adds these to zips; they are never content and must not be taken for a nested manifest. */
const isMacOsMetadata = (name: string) => name.startsWith('__MACOSX/') || /(^|\/)\._[^/]*$/.test(name);

export interface ScormPackage {
  manifest: ParsedManifest;
  /** Every file of the zip (folders left out), as inspected: what extraction will write. */
  entries: PackageEntry[];
  /** The manifest's warnings plus the package-level ones; shown to the uploader after import. */
  warnings: string[];
}

/**
 * Reads an uploaded SCORM package without unpacking it: validates every zip entry, finds imsmanifest.xml at the
 * root, parses it, and checks that every launchable item's page is in the zip.
 *
 * A missing launch page is an error (scorm.launch_file_missing), not a warning: the course would import and then
 * show learners a "not found" page, and only the uploader can fix the package. Files listed in <file> elements
 * but absent from the zip are only a warning: authoring tools list files loosely and nothing loads from that list.
 */
export async function readScormPackage(zipPath: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<ScormPackage> {
  return withPackageZip(zipPath, limits, (zip) => readOpenedPackage(zip, limits));
}

/**
 * Everything readScormPackage checks, then `use` with the package and its open zip, from one reading of the zip's
 * central directory: `use` runs only for a package that passed, so a package with a bad manifest or a missing
 * launch page is refused before anything is extracted.
 */
export async function withScormPackage<T>(zipPath: string, limits: PackageLimits, use: (scormPackage: ScormPackage, zip: PackageZip) => Promise<T>): Promise<T> {
  return withPackageZip(zipPath, limits, async (zip) => use(await readOpenedPackage(zip, limits), zip));
}

/**
 * The whole import of a package's files as streams: withScormPackage, then every file to writeEntry. If extraction
 * fails part-way (an entry lying about its size, a damaged entry), files already written stay written: the caller
 * writes under a prefix of its own and deletes it on failure.
 */
export async function extractScormPackage(zipPath: string, limits: PackageLimits, writeEntry: WriteEntry, options?: ExtractOptions): Promise<ScormPackage> {
  return withScormPackage(zipPath, limits, async (scormPackage, zip) => {
    await zip.extract(writeEntry, options);
    return scormPackage;
  });
}

async function readOpenedPackage(zip: PackageZip, limits: PackageLimits): Promise<ScormPackage> {
  const entries = [...zip.entries];
  const warnings: string[] = [];

  const manifestName = findRootManifest(entries, warnings);
  const text = await zip.readText(manifestName, limits.maxManifestBytes);
  // findRootManifest picked the name from these very entries.
  if (text === null) throw new Error(`${manifestName} is listed in the zip but could not be found to read`);
  const manifest = parseManifest(text);

  const names = new Set(entries.map((entry) => entry.name));
  checkLaunchFilesExist(manifest, entries, names);
  warnings.push(...missingListedFiles(manifest, names));

  return { manifest, entries, warnings: [...manifest.warnings, ...warnings] };
}

/** The name of imsmanifest.xml at the root of the zip, or the error that explains why there is none. */
function findRootManifest(entries: PackageEntry[], warnings: string[]): string {
  if (entries.some((entry) => entry.name === MANIFEST_NAME)) return MANIFEST_NAME;
  // "IMSManifest.xml": the uploader clearly meant it; inspection guarantees there is only one such name.
  const otherCase = entries.find((entry) => entry.name.toLowerCase() === MANIFEST_NAME);
  if (otherCase !== undefined) {
    warnings.push(`The manifest is named "${otherCase.name}"; SCORM requires "${MANIFEST_NAME}" (in lower case). It was read anyway.`);
    return otherCase.name;
  }
  const nested = entries
    .filter((entry) => !isMacOsMetadata(entry.name) && entry.name.toLowerCase().endsWith(`/${MANIFEST_NAME}`))
    .sort((a, b) => a.name.split('/').length - b.name.split('/').length || a.name.localeCompare(b.name))[0];
  if (nested !== undefined) throw scormErrors.manifestMissing(nested.name);
  if (entries.some((entry) => AICC_EXTENSIONS.has(entry.name.slice(entry.name.lastIndexOf('.') + 1).toLowerCase()))) {
    throw scormErrors.unsupportedFormat('AICC');
  }
  throw scormErrors.manifestMissing(null);
}

function checkLaunchFilesExist(manifest: ParsedManifest, entries: PackageEntry[], names: Set<string>): void {
  const byFoldedName = new Map(entries.map((entry) => [entry.name.toLowerCase(), entry.name]));
  const missing: Array<{ item: string; path: string; didYouMean: string | null }> = [];
  for (const item of flattenItems(manifest.organization.items)) {
    if (item.launch === null || names.has(item.launch.path)) continue;
    missing.push({ item: item.identifier, path: item.launch.path, didYouMean: byFoldedName.get(item.launch.path.toLowerCase()) ?? null });
  }
  if (missing.length > 0) throw scormErrors.launchFileMissing(missing);
}

function missingListedFiles(manifest: ParsedManifest, names: Set<string>): string[] {
  const missing = new Set<string>();
  for (const resource of manifest.resources) {
    for (const file of resource.files) if (!names.has(file)) missing.add(file);
  }
  if (missing.size === 0) return [];
  const shown = [...missing].slice(0, 5).map((name) => `"${name}"`).join(', ');
  return [
    `${missing.size} ${missing.size === 1 ? 'file' : 'files'} listed in imsmanifest.xml ${missing.size === 1 ? 'is' : 'are'} not in the zip: ${shown}${missing.size > 5 ? ` and ${missing.size - 5} more` : ''}. Pages that load ${missing.size === 1 ? 'it' : 'them'} will not find ${missing.size === 1 ? 'it' : 'them'}.`,
  ];
}
