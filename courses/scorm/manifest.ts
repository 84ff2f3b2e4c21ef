import { DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';
import { scormErrors } from './scorm.errors.js';

export type ScormVersion = '1.2' | '2004';
export type ScormType = 'sco' | 'asset';

/** Where an item launches, relative to the package root. */
export interface LaunchTarget {
  /** Decoded, normalised, package-relative file path: the zip entry name ("shared/assessmenttemplate.html"). */
  path: string;
  /** "" or "?…": the resource href's own query joined with the item's parameters. */
  query: string;
  /** "" or "#…". */
  fragment: string;
  /** path (each segment percent-encoded) + query + fragment: a URL relative to the package root. */
  href: string;
}

/**
 * adlcp:completionThreshold as written: SCORM 2004 3rd edition gives the threshold as the element's text,
 * 4th edition as attributes. Values the manifest does not give are null; the runtime applies the defaults.
 */
export interface CompletionThreshold {
  minProgressMeasure: number | null;
  completedByMeasure: boolean | null;
  progressWeight: number | null;
}

/** imsss:primaryObjective of an item's sequencing (SCORM 2004): how a score decides success. */
export interface PrimaryObjective {
  objectiveId: string | null;
  satisfiedByMeasure: boolean;
  /** null when not given (the sequencing default is 1.0). */
  minNormalizedMeasure: number | null;
}

export interface ParsedItem {
  identifier: string;
  title: string;
  identifierref: string | null;
  parameters: string | null;
  isVisible: boolean;
  /** scormtype of the resource the item launches; null when it launches nothing. */
  scormType: ScormType | null;
  launch: LaunchTarget | null;
  // SCORM 1.2 (adlcp: namespace, lower-case element names)
  masteryScore: number | null;
  maxTimeAllowed: string | null;
  timeLimitAction: string | null;
  dataFromLms: string | null;
  prerequisites: string | null;
  // SCORM 2004
  completionThreshold: CompletionThreshold | null;
  primaryObjective: PrimaryObjective | null;
  /** The item's <imsss:sequencing> serialised as XML, for the sequencing runtime. */
  sequencingXml: string | null;
  children: ParsedItem[];
}

export interface ParsedOrganization {
  identifier: string | null;
  title: string;
  items: ParsedItem[];
  sequencingXml: string | null;
  objectivesGlobalToSystem: boolean | null;
  sharedDataGlobalToSystem: boolean | null;
  /** True when the manifest had no organization and the items were made from its SCO resources. */
  synthesized: boolean;
}

export interface ParsedResource {
  identifier: string;
  type: string | null;
  scormType: ScormType;
  /** The href attribute as written (without xml:base). */
  href: string | null;
  /** xml:base of manifest, resources and resource combined ("" when none); each level is taken as a folder. */
  base: string;
  /** Package-relative paths of the <file> elements; hrefs that cannot be a file of the package are left out with a warning. */
  files: string[];
  dependencies: string[];
}

export interface ParsedManifest {
  identifier: string | null;
  version: ScormVersion;
  /** SCORM 2004 edition (2, 3 or 4); null for 1.2 or when the manifest does not say. */
  edition: 2 | 3 | 4 | null;
  /** <metadata><schemaversion> as written. */
  schemaVersion: string | null;
  /** The default organization (or, with a warning, the one made from SCO resources). */
  organization: ParsedOrganization;
  /** How many organizations the manifest has; only the default one is used. */
  organizationCount: number;
  resources: ParsedResource[];
  /** <imsss:sequencingCollection> serialised as XML. */
  sequencingCollectionXml: string | null;
  /** What the package asks for that is not honoured, or that was read leniently: shown to the uploader. */
  warnings: string[];
}

export const MISSING_ORGANIZATION_WARNING = 'The manifest has no organization; each SCO resource is offered as its own item.';

/** Deeper than any real manifest (items nest a handful of levels; LOM metadata about eight). Bounds recursion. */
const MAX_ELEMENT_DEPTH = 100;
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/**
 * Extension namespaces are recognised by their URI, whatever prefix the manifest binds them to: the URIs
 * vary between SCORM editions (adlcp_rootv1p2, adlcp_v1p3) and tools.
 */
const FAMILIES = {
  adlcp: /adlcp/i,
  imsss: /imsss/i,
  adlseq: /adlseq/i,
  adlnav: /adlnav/i,
} as const;
type Family = keyof typeof FAMILIES;

// ---------------------------------------------------------------------------------------------------------------
// Launch hrefs

/** Splits "a/b.html?x=1#top" into its path, "?x=1" and "#top". */
export function splitHref(href: string): { path: string; query: string; fragment: string } {
  const hashAt = href.indexOf('#');
  const fragment = hashAt === -1 ? '' : href.slice(hashAt);
  const beforeFragment = hashAt === -1 ? href : href.slice(0, hashAt);
  const questionAt = beforeFragment.indexOf('?');
  return {
    path: questionAt === -1 ? beforeFragment : beforeFragment.slice(0, questionAt),
    query: questionAt === -1 ? '' : beforeFragment.slice(questionAt),
    fragment,
  };
}

/**
 * Appends an item's parameters attribute to a launch href, as SCORM CAM describes (leading "?" and "&" of the
 * parameters are dropped; "&" joins onto an existing query, "?" starts one) with one correction: the query goes
 * before the href's fragment, never after it. A "#fragment" in the parameters is used only when the href has none.
 */
export function joinLaunchParameters(href: string, parameters: string | null | undefined): string {
  const { path, query, fragment } = splitHref(href);
  const joined = joinQueryAndFragment(query, fragment, parameters);
  return path + joined.query + joined.fragment;
}

function joinQueryAndFragment(query: string, fragment: string, parameters: string | null | undefined): { query: string; fragment: string } {
  const trimmed = (parameters ?? '').trim().replace(/^[?&]+/, '');
  if (trimmed === '') return { query, fragment };
  const hashAt = trimmed.indexOf('#');
  const parameterQuery = (hashAt === -1 ? trimmed : trimmed.slice(0, hashAt)).replace(/^[?&]+/, '');
  const parameterFragment = hashAt === -1 ? '' : trimmed.slice(hashAt);
  const queryParts = [query.replace(/^\?/, ''), parameterQuery].filter((part) => part !== '');
  return {
    query: queryParts.length === 0 ? '' : `?${queryParts.join('&')}`,
    fragment: fragment !== '' ? fragment : parameterFragment.length > 1 ? parameterFragment : '',
  };
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** Why a href or xml:base cannot be part of a path inside the package, or null when it can. */
function whyNotRelative(value: string): string | null {
  if (/^[a-zA-Z]:[\\/]/.test(value)) return 'is an absolute Windows path';
  const scheme = SCHEME.exec(value)?.[1];
  if (scheme !== undefined) return `uses the "${scheme.toLowerCase()}:" scheme, so it is not a file of the package`;
  if (/^[\\/]{2}/.test(value)) return 'points to another server';
  if (/^[\\/]/.test(value)) return 'is an absolute path';
  return null;
}

/**
 * Resolves a resource href (under its combined xml:base) and an item's parameters to a file of the package.
 * Throws scorm.launch_outside_package when the href has a scheme (http:, javascript:, data:…), is absolute,
 * or climbs above the package root with "..". Backslashes are read as "/" (Windows tools write them, and
 * browsers read them so); percent-escapes are decoded so that the path matches zip entry names.
 */
export function resolveLaunchHref(
  href: string,
  options: { base?: string; parameters?: string | null; subject?: string } = {},
): LaunchTarget {
  const subject = options.subject ?? 'The package';
  const base = asFolder(options.base ?? '');
  const trimmedHref = href.trim();
  const hrefProblem = whyNotRelative(trimmedHref);
  if (hrefProblem !== null) throw scormErrors.launchOutsidePackage(subject, trimmedHref, hrefProblem);
  const baseProblem = whyNotRelative(base);
  if (baseProblem !== null) throw scormErrors.launchOutsidePackage(subject, base + trimmedHref, `has an xml:base that ${baseProblem}`);

  const { path: hrefPath, query, fragment } = splitHref(trimmedHref);
  const combined = (base + hrefPath).replace(/\\/g, '/');
  const path = normalisePackagePath(decodePercent(combined));
  if (path === null) throw scormErrors.launchOutsidePackage(subject, base + trimmedHref, 'climbs above the package root with ".."');
  if (path === '') throw scormErrors.launchOutsidePackage(subject, base + trimmedHref, 'does not name a file');
  const joined = joinQueryAndFragment(query, fragment, options.parameters);
  return { path, query: joined.query, fragment: joined.fragment, href: encodePath(path) + joined.query + joined.fragment };
}

/**
 * Removes "." and empty segments and applies ".."; returns null when ".." would climb above the root.
 * Trailing slashes are dropped: the result is a file path or "".
 */
export function normalisePackagePath(path: string): string | null {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(segment);
    }
  }
  return out.join('/');
}

/** Decodes %xx escapes; a malformed escape ("100%.html") means the name holds a literal "%", so it is kept. */
function decodePercent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURI(segment).replace(/[?#]/g, (c) => encodeURIComponent(c)))
    .join('/');
}

/** xml:base values are folders in practice ("sco1" means "sco1/"), though RFC 3986 would drop a last segment without "/". */
function asFolder(base: string): string {
  const trimmed = base.trim();
  return trimmed === '' || trimmed.endsWith('/') || trimmed.endsWith('\\') ? trimmed : `${trimmed}/`;
}

// ---------------------------------------------------------------------------------------------------------------
// Warnings

/** Collects warnings; the same kind of warning on many items is reported once, with a count. */
class WarningList {
  private readonly byKey = new Map<string, { text: string; count: number }>();

  add(text: string, key: string = text): void {
    const existing = this.byKey.get(key);
    if (existing) existing.count += 1;
    else this.byKey.set(key, { text, count: 1 });
  }

  toArray(): string[] {
    return [...this.byKey.values()].map(({ text, count }) => (count > 1 ? `${text} (${count} times)` : text));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// XML helpers

function elementChildren(node: Node): Element[] {
  const out: Element[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === 1) out.push(child as Element);
  }
  return out;
}

function familyOf(namespaceUri: string | null): Family | null {
  if (namespaceUri === null) return null;
  for (const [family, pattern] of Object.entries(FAMILIES) as Array<[Family, RegExp]>) {
    if (pattern.test(namespaceUri)) return family;
  }
  return null;
}

/** A plain (un-prefixed) attribute, trimmed; null when absent. */
function plainAttribute(element: Element, name: string): string | null {
  for (const attribute of Array.from(element.attributes)) {
    if (attribute.namespaceURI === null && attribute.localName === name) return attribute.value.trim();
  }
  return null;
}

/** An extension attribute such as adlcp:scormType; the local name is matched without regard to case (1.2 wrote scormtype). */
function familyAttribute(element: Element, family: Family, localName: string): string | null {
  const wanted = localName.toLowerCase();
  for (const attribute of Array.from(element.attributes)) {
    if (familyOf(attribute.namespaceURI) === family && attribute.localName?.toLowerCase() === wanted) return attribute.value.trim();
  }
  return null;
}

function xmlBase(element: Element | null): string {
  if (element === null) return '';
  return element.getAttributeNS(XML_NAMESPACE, 'base')?.trim() ?? '';
}

function textOf(element: Element): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function parseBoolean(value: string | null): boolean | null {
  if (value === null) return null;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return null;
}

function parseNumber(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const number = Number(value.trim());
  return Number.isFinite(number) ? number : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses imsmanifest.xml. Refuses DTDs and entity declarations before any XML parser sees the text, so nothing
 * is expanded or fetched. Throws scorm.manifest_doctype, scorm.manifest_unparsable, scorm.launch_outside_package
 * or scorm.nothing_launchable; everything else that cannot be honoured becomes a warning.
 */
export function parseManifest(xml: string): ParsedManifest {
  const text = xml.replace(/^\uFEFF/, '');
  // Checked on the raw text, even inside comments: a false alarm costs a re-export, a missed one costs far more.
  if (/<!DOCTYPE/i.test(text)) throw scormErrors.manifestDoctype('<!DOCTYPE');
  if (/<!ENTITY/i.test(text)) throw scormErrors.manifestDoctype('<!ENTITY');
  if (!hasRootElement(text)) throw scormErrors.nothingLaunchable('imsmanifest.xml is empty (it has no <manifest> element)');

  const warnings = new WarningList();
  const root = parseXml(text, warnings);
  if (root.localName !== 'manifest') throw scormErrors.manifestUnparsable(`its root element is <${root.nodeName}>, not <manifest>`);
  const namespaces = surveyDocument(root);
  return new ManifestReader(root, namespaces, warnings).read();
}

/** True when, past the XML declaration, processing instructions and comments, there is an element. */
function hasRootElement(xml: string): boolean {
  const withoutProlog = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  return /<[A-Za-z_]/.test(withoutProlog);
}

function parseXml(xml: string, warnings: WarningList): Element {
  let problem: string | null = null;
  const parser = new DOMParser({
    onError: (level, message, context) => {
      const locator = (context as { locator?: { lineNumber?: number; columnNumber?: number } } | undefined)?.locator;
      const where = locator?.lineNumber ? ` at line ${locator.lineNumber}, column ${locator.columnNumber ?? 0}` : '';
      if (level === 'warning') {
        warnings.add(`imsmanifest.xml is not quite well-formed and was read leniently: ${message.trim()}${where}.`);
        return;
      }
      problem = `${message.trim()}${where}`;
      throw new Error(problem);
    },
  });
  try {
    const doc = parser.parseFromString(xml, 'text/xml');
    const root = doc.documentElement;
    if (root === null) throw new Error('it has no root element');
    return root;
  } catch (err) {
    throw scormErrors.manifestUnparsable(`it is not well-formed XML (${problem ?? (err as Error).message})`);
  }
}

/** Walks the document once, without recursion: refuses absurd nesting and collects every namespace URI in use. */
function surveyDocument(root: Element): Set<string> {
  const namespaces = new Set<string>();
  const stack: Array<{ element: Element; depth: number }> = [{ element: root, depth: 1 }];
  while (stack.length > 0) {
    const { element, depth } = stack.pop()!;
    if (depth > MAX_ELEMENT_DEPTH) throw scormErrors.manifestUnparsable(`its elements are nested more than ${MAX_ELEMENT_DEPTH} levels deep`);
    if (element.namespaceURI !== null) namespaces.add(element.namespaceURI);
    for (const attribute of Array.from(element.attributes)) {
      if (attribute.namespaceURI !== null) namespaces.add(attribute.namespaceURI);
    }
    for (const child of elementChildren(element)) stack.push({ element: child, depth: depth + 1 });
  }
  return namespaces;
}

class ManifestReader {
  private readonly serializer = new XMLSerializer();
  /** The IMS CP namespace is whatever the root uses (imscp_rootv1p1p2, imscp_v1p1, or none at all). */
  private readonly cpNamespace: string | null;
  private readonly resources = new Map<string, ParsedResource>();
  private readonly collection = new Map<string, Element>();
  private readonly itemIdentifiers = new Set<string>();
  private generatedIdentifiers = 0;

  constructor(
    private readonly root: Element,
    private readonly namespaces: Set<string>,
    private readonly warnings: WarningList,
  ) {
    this.cpNamespace = root.namespaceURI;
  }

  read(): ParsedManifest {
    const { version, edition, schemaVersion } = this.detectVersion();
    this.warnUnknownChildren(this.root, 'the manifest', ['metadata', 'organizations', 'resources'], { imsss: ['sequencingCollection'] });

    const collectionElement = this.familyChild(this.root, 'imsss', 'sequencingCollection');
    if (collectionElement !== null) {
      for (const sequencing of elementChildren(collectionElement)) {
        const id = plainAttribute(sequencing, 'ID');
        if (familyOf(sequencing.namespaceURI) === 'imsss' && sequencing.localName === 'sequencing' && id !== null) this.collection.set(id, sequencing);
      }
    }

    const resources = this.readResources();
    const organizationsElement = this.cpChild(this.root, 'organizations');
    const organizations = organizationsElement === null ? [] : this.cpChildren(organizationsElement, 'organization');
    const organization = organizations.length === 0 ? this.organizationFromScoResources(resources) : this.readOrganization(organizationsElement!, organizations);

    this.requireSomethingLaunchable(organization);
    return {
      identifier: plainAttribute(this.root, 'identifier'),
      version,
      edition,
      schemaVersion,
      organization,
      organizationCount: organizations.length,
      resources,
      sequencingCollectionXml: collectionElement === null ? null : this.serializer.serializeToString(collectionElement),
      warnings: this.warnings.toArray(),
    };
  }

  // --- version ---------------------------------------------------------------------------------------------

  private detectVersion(): { version: ScormVersion; edition: 2 | 3 | 4 | null; schemaVersion: string | null } {
    const metadata = this.cpChild(this.root, 'metadata');
    const schemaVersionElement = metadata === null ? null : this.cpChild(metadata, 'schemaversion');
    const schemaVersion = schemaVersionElement === null ? null : textOf(schemaVersionElement);

    const uris = [...this.namespaces];
    const fromNamespaces: ScormVersion | null = uris.some((uri) => /adlcp_v1p3/i.test(uri) || /imsss|adlseq|adlnav/i.test(uri))
      ? '2004'
      : uris.some((uri) => /adlcp_rootv1p2/i.test(uri))
        ? '1.2'
        : null;

    const declared = schemaVersion === null ? null : versionFromSchemaVersion(schemaVersion);
    if (declared !== null) {
      if (fromNamespaces !== null && fromNamespaces !== declared.version) {
        this.warnings.add(
          `<schemaversion> says "${schemaVersion}" (SCORM ${declared.version}) but the manifest uses SCORM ${fromNamespaces} namespaces; it is treated as SCORM ${declared.version}.`,
        );
      }
      return { ...declared, schemaVersion };
    }
    const version = fromNamespaces ?? '1.2';
    if (schemaVersion !== null) {
      this.warnings.add(`<schemaversion> "${schemaVersion}" is not a SCORM version; from its namespaces the package is treated as SCORM ${version}.`);
    } else if (fromNamespaces === null) {
      this.warnings.add('The manifest does not say which SCORM version it is (no <schemaversion>, no ADL namespaces); it is treated as SCORM 1.2.');
    }
    if (version === '2004') this.warnings.add('The manifest does not say which SCORM 2004 edition it is.');
    return { version, edition: null, schemaVersion };
  }

  // --- resources -------------------------------------------------------------------------------------------

  private readResources(): ParsedResource[] {
    const resourcesElement = this.cpChild(this.root, 'resources');
    if (resourcesElement === null) return [];
    const outerBase = asFolder(xmlBase(this.root)) + asFolder(xmlBase(resourcesElement));
    const parsed: ParsedResource[] = [];
    for (const element of this.cpChildren(resourcesElement, 'resource')) {
      const identifier = plainAttribute(element, 'identifier');
      if (identifier === null || identifier === '') {
        this.warnings.add('A <resource> without an identifier is ignored: no item can refer to it.');
        continue;
      }
      const base = outerBase + asFolder(xmlBase(element));
      const resource: ParsedResource = {
        identifier,
        type: plainAttribute(element, 'type'),
        scormType: this.readScormType(element, identifier),
        href: plainAttribute(element, 'href') || null,
        base,
        files: this.readFiles(element, base),
        dependencies: this.cpChildren(element, 'dependency')
          .map((dependency) => plainAttribute(dependency, 'identifierref'))
          .filter((ref): ref is string => ref !== null && ref !== ''),
      };
      if (this.resources.has(identifier)) {
        this.warnings.add(`The manifest defines the resource "${identifier}" more than once; the first definition is used.`);
        continue;
      }
      this.resources.set(identifier, resource);
      parsed.push(resource);
    }
    return parsed;
  }

  private readScormType(element: Element, identifier: string): ScormType {
    const value = familyAttribute(element, 'adlcp', 'scormType')?.toLowerCase() ?? null;
    if (value === 'sco' || value === 'asset') return value;
    this.warnings.add(
      value === null
        ? `The resource "${identifier}" has no adlcp:scormType; it is treated as an asset (launched without SCORM tracking).`
        : `The resource "${identifier}" has adlcp:scormType "${value}", which is neither "sco" nor "asset"; it is treated as an asset.`,
    );
    return 'asset';
  }

  private readFiles(resource: Element, base: string): string[] {
    const files: string[] = [];
    for (const file of this.cpChildren(resource, 'file')) {
      const href = plainAttribute(file, 'href');
      if (href === null || href === '') continue;
      if (whyNotRelative(href) !== null || whyNotRelative(base) !== null) {
        this.warnings.add(`The <file> "${href}" is not a path inside the package and is ignored.`);
        continue;
      }
      const path = normalisePackagePath(decodePercent((base + splitHref(href).path).replace(/\\/g, '/')));
      if (path === null || path === '') this.warnings.add(`The <file> "${href}" is not a path inside the package and is ignored.`);
      else files.push(path);
    }
    return files;
  }

  // --- organizations and items -----------------------------------------------------------------------------

  private readOrganization(organizationsElement: Element, organizations: Element[]): ParsedOrganization {
    const defaultId = plainAttribute(organizationsElement, 'default');
    let chosen = organizations[0]!;
    if (defaultId !== null && defaultId !== '') {
      const named = organizations.find((organization) => plainAttribute(organization, 'identifier') === defaultId);
      if (named) chosen = named;
      else this.warnings.add(`<organizations default="${defaultId}"> names no organization of the manifest; the first organization is used.`);
    }
    const identifier = plainAttribute(chosen, 'identifier');
    if (organizations.length > 1) {
      this.warnings.add(
        `The manifest has ${organizations.length} organizations; only the default one${identifier ? `, "${identifier}",` : ''} is offered to learners and the others are ignored.`,
      );
    }
    const where = `the organization "${identifier ?? ''}"`;
    this.warnUnknownChildren(chosen, where, ['title', 'item', 'metadata'], { imsss: ['sequencing'] });
    const titleElement = this.cpChild(chosen, 'title');
    const sequencing = this.familyChild(chosen, 'imsss', 'sequencing');
    return {
      identifier,
      title: (titleElement === null ? '' : textOf(titleElement)) || identifier || 'Untitled course',
      items: this.cpChildren(chosen, 'item').map((item) => this.readItem(item)),
      sequencingXml: sequencing === null ? null : this.serializer.serializeToString(sequencing),
      objectivesGlobalToSystem: parseBoolean(familyAttribute(chosen, 'adlseq', 'objectivesGlobalToSystem')),
      sharedDataGlobalToSystem: parseBoolean(familyAttribute(chosen, 'adlcp', 'sharedDataGlobalToSystem')),
      synthesized: false,
    };
  }

  private readItem(element: Element): ParsedItem {
    let identifier = plainAttribute(element, 'identifier');
    if (identifier === null || identifier === '') {
      this.generatedIdentifiers += 1;
      identifier = `item-${this.generatedIdentifiers}`;
      this.warnings.add(`An <item> without an identifier was given the identifier "${identifier}"; learner progress is recorded under it.`);
    }
    if (this.itemIdentifiers.has(identifier)) {
      this.warnings.add(`The manifest uses the item identifier "${identifier}" more than once; learner progress on those items will be mixed up.`);
    }
    this.itemIdentifiers.add(identifier);

    const where = `item "${identifier}"`;
    this.warnUnknownChildren(element, where, ['title', 'item', 'metadata'], {
      adlcp: ['masteryscore', 'maxtimeallowed', 'timelimitaction', 'datafromlms', 'prerequisites', 'completionthreshold'],
      imsss: ['sequencing'],
    });

    const titleElement = this.cpChild(element, 'title');
    const identifierref = plainAttribute(element, 'identifierref') || null;
    const parameters = plainAttribute(element, 'parameters') || null;
    const children = this.cpChildren(element, 'item').map((child) => this.readItem(child));
    const { launch, scormType } = this.resolveItemLaunch(identifier, identifierref, parameters, children.length > 0);
    const sequencing = this.familyChild(element, 'imsss', 'sequencing');

    return {
      identifier,
      title: (titleElement === null ? '' : textOf(titleElement)) || identifier,
      identifierref,
      parameters,
      isVisible: parseBoolean(plainAttribute(element, 'isvisible')) ?? true,
      scormType,
      launch,
      masteryScore: this.readMasteryScore(element, identifier),
      maxTimeAllowed: this.familyChildText(element, 'adlcp', 'maxtimeallowed'),
      timeLimitAction: this.familyChildText(element, 'adlcp', 'timelimitaction'),
      dataFromLms: this.familyChildText(element, 'adlcp', 'datafromlms'),
      prerequisites: this.familyChildText(element, 'adlcp', 'prerequisites'),
      completionThreshold: this.readCompletionThreshold(element),
      primaryObjective: this.readPrimaryObjective(sequencing, identifier),
      sequencingXml: sequencing === null ? null : this.serializer.serializeToString(sequencing),
      children,
    };
  }

  private resolveItemLaunch(
    identifier: string,
    identifierref: string | null,
    parameters: string | null,
    hasChildren: boolean,
  ): { launch: LaunchTarget | null; scormType: ScormType | null } {
    if (identifierref === null) {
      if (!hasChildren) this.warnings.add(`The item "${identifier}" has no sub-items and no resource, so there is nothing to launch from it.`);
      return { launch: null, scormType: null };
    }
    const resource = this.resources.get(identifierref);
    if (resource === undefined) {
      this.warnings.add(`The item "${identifier}" refers to the resource "${identifierref}", which the manifest does not define; it cannot be launched.`);
      return { launch: null, scormType: null };
    }
    if (resource.href === null) {
      this.warnings.add(`The item "${identifier}" refers to the resource "${identifierref}", which has no href; it cannot be launched.`);
      return { launch: null, scormType: null };
    }
    const launch = resolveLaunchHref(resource.href, { base: resource.base, parameters, subject: `The item "${identifier}"` });
    return { launch, scormType: resource.scormType };
  }

  private readMasteryScore(item: Element, identifier: string): number | null {
    const text = this.familyChildText(item, 'adlcp', 'masteryscore');
    if (text === null) return null;
    const score = parseNumber(text);
    if (score === null || score < 0 || score > 100) {
      this.warnings.add(`The item "${identifier}" has adlcp:masteryscore "${text}", which is not a number from 0 to 100; it is ignored.`);
      return null;
    }
    return score;
  }

  private readCompletionThreshold(item: Element): CompletionThreshold | null {
    const element = this.familyChild(item, 'adlcp', 'completionThreshold');
    if (element !== null) {
      const hasAttributes = ['completedByMeasure', 'minProgressMeasure', 'progressWeight'].some(
        (name) => plainAttribute(element, name) !== null,
      );
      if (hasAttributes) {
        return {
          completedByMeasure: parseBoolean(plainAttribute(element, 'completedByMeasure')),
          minProgressMeasure: parseNumber(plainAttribute(element, 'minProgressMeasure')),
          progressWeight: parseNumber(plainAttribute(element, 'progressWeight')),
        };
      }
      const threshold = parseNumber(textOf(element));
      return threshold === null ? null : { completedByMeasure: null, minProgressMeasure: threshold, progressWeight: null };
    }
    // Some tools write the threshold as an attribute of the item itself.
    const attribute = parseNumber(familyAttribute(item, 'adlcp', 'completionThreshold'));
    return attribute === null ? null : { completedByMeasure: null, minProgressMeasure: attribute, progressWeight: null };
  }

  private readPrimaryObjective(sequencing: Element | null, identifier: string): PrimaryObjective | null {
    if (sequencing === null) return null;
    const own = this.primaryObjectiveElement(sequencing);
    let primary = own;
    // <imsss:sequencing IDRef="…"> takes what it does not say itself from the sequencing collection.
    const idRef = plainAttribute(sequencing, 'IDRef');
    if (idRef !== null) {
      const shared = this.collection.get(idRef);
      if (shared === undefined) this.warnings.add(`The item "${identifier}" refers to the sequencing "${idRef}", which the sequencing collection does not define.`);
      else primary ??= this.primaryObjectiveElement(shared);
    }
    if (primary === null) return null;
    const measure = this.familyChild(primary, 'imsss', 'minNormalizedMeasure');
    return {
      objectiveId: plainAttribute(primary, 'objectiveID'),
      satisfiedByMeasure: parseBoolean(plainAttribute(primary, 'satisfiedByMeasure')) ?? false,
      minNormalizedMeasure: measure === null ? null : parseNumber(textOf(measure)),
    };
  }

  private primaryObjectiveElement(sequencing: Element): Element | null {
    const objectives = this.familyChild(sequencing, 'imsss', 'objectives');
    return objectives === null ? null : this.familyChild(objectives, 'imsss', 'primaryObjective');
  }

  /** Without an organization, each SCO resource becomes a top-level item (SCORM 1.2 tools sometimes emit this). */
  private organizationFromScoResources(resources: ParsedResource[]): ParsedOrganization {
    const items: ParsedItem[] = [];
    for (const resource of resources) {
      if (resource.scormType !== 'sco' || resource.href === null) continue;
      items.push({
        identifier: resource.identifier,
        title: resource.identifier || resource.href,
        identifierref: resource.identifier,
        parameters: null,
        isVisible: true,
        scormType: 'sco',
        launch: resolveLaunchHref(resource.href, { base: resource.base, subject: `The resource "${resource.identifier}"` }),
        masteryScore: null,
        maxTimeAllowed: null,
        timeLimitAction: null,
        dataFromLms: null,
        prerequisites: null,
        completionThreshold: null,
        primaryObjective: null,
        sequencingXml: null,
        children: [],
      });
    }
    if (items.length > 0) this.warnings.add(MISSING_ORGANIZATION_WARNING);
    return {
      identifier: null,
      title: plainAttribute(this.root, 'identifier') || 'Untitled course',
      items,
      sequencingXml: null,
      objectivesGlobalToSystem: null,
      sharedDataGlobalToSystem: null,
      synthesized: true,
    };
  }

  private requireSomethingLaunchable(organization: ParsedOrganization): void {
    const all = flattenItems(organization.items);
    if (all.some((item) => item.launch !== null)) return;
    if (organization.synthesized) throw scormErrors.nothingLaunchable('the manifest has no organization, and no SCO resource with an href to offer instead');
    if (all.length === 0) throw scormErrors.nothingLaunchable(`the organization "${organization.identifier ?? organization.title}" has no items`);
    throw scormErrors.nothingLaunchable(`none of the ${all.length} items of the organization leads to a resource with an href`);
  }

  // --- element lookup and ignored content ------------------------------------------------------------------

  private isCp(element: Element): boolean {
    return element.namespaceURI === this.cpNamespace;
  }

  private cpChildren(parent: Element, localName: string): Element[] {
    return elementChildren(parent).filter((child) => this.isCp(child) && child.localName === localName);
  }

  private cpChild(parent: Element, localName: string): Element | null {
    return this.cpChildren(parent, localName)[0] ?? null;
  }

  private familyChild(parent: Element, family: Family, localName: string): Element | null {
    const wanted = localName.toLowerCase();
    return elementChildren(parent).find((child) => familyOf(child.namespaceURI) === family && child.localName?.toLowerCase() === wanted) ?? null;
  }

  private familyChildText(parent: Element, family: Family, localName: string): string | null {
    const element = this.familyChild(parent, family, localName);
    return element === null ? null : textOf(element);
  }

  /**
   * Child elements this reader does not use are reported, not silently dropped: the package may depend on
   * them. Known ones get a specific explanation.
   */
  private warnUnknownChildren(parent: Element, where: string, cpNames: string[], known: Partial<Record<Family, string[]>>): void {
    for (const child of elementChildren(parent)) {
      const localName = child.localName ?? child.nodeName;
      if (this.isCp(child) && cpNames.includes(localName)) continue;
      const family = familyOf(child.namespaceURI);
      if (family !== null && known[family]?.some((name) => name.toLowerCase() === localName.toLowerCase())) continue;
      const label = `<${child.nodeName}>`;
      if (family === 'adlnav' && localName === 'presentation') {
        this.warnings.add(
          `${label} (which navigation controls to hide) is ignored: the player always shows its own navigation. First seen in ${where}.`,
          'adlnav:presentation',
        );
      } else if (family === 'adlcp' && localName === 'data') {
        this.warnings.add(`${label} (shared data between SCOs, SCORM 2004 4th edition) is not supported and is ignored. First seen in ${where}.`, 'adlcp:data');
      } else if (this.isCp(child) && localName === 'manifest') {
        this.warnings.add(`${label} (a sub-manifest) is not supported and is ignored; items cannot refer to its resources.`, 'sub-manifest');
      } else {
        this.warnings.add(`${label} in ${where} is not something this importer understands; it is ignored.`, `unknown:${child.namespaceURI ?? ''}:${localName}`);
      }
    }
  }
}

/** SCORM 1.2 says "1.2"; SCORM 2004 2nd edition "CAM 1.3"; 3rd and 4th "2004 3rd Edition", "2004 4th Edition". */
function versionFromSchemaVersion(schemaVersion: string): { version: ScormVersion; edition: 2 | 3 | 4 | null } | null {
  const normalised = schemaVersion.replace(/\s+/g, ' ').trim().toLowerCase();
  if (normalised === '1.2') return { version: '1.2', edition: null };
  if (normalised === 'cam 1.3' || normalised === '1.3' || normalised === '2004 2nd edition') return { version: '2004', edition: 2 };
  if (normalised === '2004 3rd edition') return { version: '2004', edition: 3 };
  if (normalised === '2004 4th edition') return { version: '2004', edition: 4 };
  return null;
}

/** Every item of a tree, parents before their children. */
export function flattenItems(items: readonly ParsedItem[]): ParsedItem[] {
  const out: ParsedItem[] = [];
  const visit = (list: readonly ParsedItem[]) => {
    for (const item of list) {
      out.push(item);
      visit(item.children);
    }
  };
  visit(items);
  return out;
}
