import { describe, expect, it } from '@jest/globals';
import { DOMParser } from '@xmldom/xmldom';
import { flattenItems, MISSING_ORGANIZATION_WARNING, parseManifest, type ParsedManifest } from '../../../courses/scorm/manifest.js';

const CP_12 = 'http://www.imsproject.org/xsd/imscp_rootv1p1p2';
const ADLCP_12 = 'http://www.adlnet.org/xsd/adlcp_rootv1p2';
const CP_2004 = 'http://www.imsglobal.org/xsd/imscp_v1p1';
const ADLCP_2004 = 'http://www.adlnet.org/xsd/adlcp_v1p3';
const IMSSS = 'http://www.imsglobal.org/xsd/imsss';
const ADLSEQ = 'http://www.adlnet.org/xsd/adlseq_v1p3';
const ADLNAV = 'http://www.adlnet.org/xsd/adlnav_v1p3';

/** A SCORM 1.2 manifest around the given organization items and resources. */
function scorm12({ items, resources, schemaVersion = '1.2' }: { items: string; resources: string; schemaVersion?: string | null }) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m12" version="1" xmlns="${CP_12}" xmlns:adlcp="${ADLCP_12}">
  ${schemaVersion === null ? '' : `<metadata><schema>ADL SCORM</schema><schemaversion>${schemaVersion}</schemaversion></metadata>`}
  <organizations default="org"><organization identifier="org"><title>Course</title>${items}</organization></organizations>
  <resources>${resources}</resources>
</manifest>`;
}

/** A SCORM 2004 manifest, with the usual prefixes bound. */
function scorm2004({ items, resources, schemaVersion = '2004 4th Edition', beforeResources = '', organizationExtra = '' }: { items: string; resources: string; schemaVersion?: string | null; beforeResources?: string; organizationExtra?: string }) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m2004" version="1" xmlns="${CP_2004}" xmlns:adlcp="${ADLCP_2004}" xmlns:imsss="${IMSSS}" xmlns:adlseq="${ADLSEQ}" xmlns:adlnav="${ADLNAV}">
  ${schemaVersion === null ? '' : `<metadata><schema>ADL SCORM</schema><schemaversion>${schemaVersion}</schemaversion></metadata>`}
  <organizations default="org"><organization identifier="org"><title>Course</title>${items}${organizationExtra}</organization></organizations>
  <resources>${resources}</resources>
  ${beforeResources}
</manifest>`;
}

const sco12 = (id: string, href: string) => `<resource identifier="${id}" type="webcontent" adlcp:scormtype="sco" href="${href}"/>`;
const sco2004 = (id: string, href: string) => `<resource identifier="${id}" type="webcontent" adlcp:scormType="sco" href="${href}"/>`;

function parseError(xml: string): { code: string; message: string } {
  try {
    parseManifest(xml);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected parseManifest to throw');
}

describe('refusing DTDs and entities before parsing', () => {
  it('refuses <!DOCTYPE> even without entities', () => {
    const xml = scorm12({ items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: sco12('r', 'a.html') }).replace('<manifest', '<!DOCTYPE manifest SYSTEM "http://evil.example/manifest.dtd">\n<manifest');
    expect(parseError(xml).code).toBe('scorm.manifest_doctype');
  });

  it('refuses <!ENTITY> wherever it appears', () => {
    expect(parseError('<manifest><!ENTITY x "y"></manifest>')).toMatchObject({ code: 'scorm.manifest_doctype', message: expect.stringContaining('<!ENTITY') });
  });
});

describe('XML that cannot be read', () => {
  it('reports malformed XML with its position', () => {
    const error = parseError('<?xml version="1.0"?>\n<manifest>\n  <organizations>\n</manifest>');
    expect(error.code).toBe('scorm.manifest_unparsable');
    expect(error.message).toMatch(/not well-formed XML \(.*line \d+, column \d+\)/);
  });

  it('refuses an undeclared namespace prefix', () => {
    expect(parseError('<manifest><adlcp:masteryscore>80</adlcp:masteryscore></manifest>').code).toBe('scorm.manifest_unparsable');
  });

  it('refuses a document whose root is not <manifest>', () => {
    expect(parseError('<html><body/></html>')).toMatchObject({ code: 'scorm.manifest_unparsable', message: expect.stringContaining('its root element is <html>') });
  });

  it('refuses absurdly deep nesting before walking the item tree recursively', () => {
    const deep = `<manifest>${'<item identifier="x">'.repeat(150)}${'</item>'.repeat(150)}</manifest>`;
    expect(parseError(deep)).toMatchObject({ code: 'scorm.manifest_unparsable', message: expect.stringContaining('nested more than 100 levels') });
  });

  it('treats a manifest with no element at all as having nothing to launch', () => {
    expect(parseError('<?xml version="1.0" encoding="UTF-8"?>\n<!-- nothing -->\n').code).toBe('scorm.nothing_launchable');
  });

  it('reads lenient XML (an unquoted attribute) but says so', () => {
    const xml = scorm12({ items: '<item identifier="i" identifierref="r" isvisible=true><title>T</title></item>', resources: sco12('r', 'a.html') });
    const manifest = parseManifest(xml);
    expect(manifest.organization.items[0]!.launch?.path).toBe('a.html');
    expect(manifest.warnings.some((warning) => warning.startsWith('imsmanifest.xml is not quite well-formed and was read leniently'))).toBe(true);
  });
});

describe('SCORM version', () => {
  const oneItem12 = { items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: sco12('r', 'a.html') };
  const oneItem2004 = { items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: sco2004('r', 'a.html') };

  it.each([
    ['CAM 1.3', 2],
    ['2004 3rd Edition', 3],
    ['2004 4th Edition', 4],
  ] as const)('<schemaversion>%s</schemaversion> is SCORM 2004 edition %d', (schemaVersion, edition) => {
    const manifest = parseManifest(scorm2004({ ...oneItem2004, schemaVersion }));
    expect(manifest).toMatchObject({ version: '2004', edition, schemaVersion });
    expect(manifest.warnings).toEqual([]);
  });

  it('<schemaversion>1.2</schemaversion> is SCORM 1.2', () => {
    expect(parseManifest(scorm12(oneItem12))).toMatchObject({ version: '1.2', edition: null, schemaVersion: '1.2', warnings: [] });
  });

  it('without <schemaversion>, the adlcp_rootv1p2 namespace means SCORM 1.2, silently', () => {
    expect(parseManifest(scorm12({ ...oneItem12, schemaVersion: null }))).toMatchObject({ version: '1.2', schemaVersion: null, warnings: [] });
  });

  it('without <schemaversion>, the adlcp_v1p3 and imsss namespaces mean SCORM 2004 of an unknown edition', () => {
    const manifest = parseManifest(scorm2004({ ...oneItem2004, schemaVersion: null }));
    expect(manifest).toMatchObject({ version: '2004', edition: null });
    expect(manifest.warnings).toEqual(['The manifest does not say which SCORM 2004 edition it is.']);
  });

  it('an unknown <schemaversion> falls back to the namespaces, with a warning', () => {
    const manifest = parseManifest(scorm2004({ ...oneItem2004, schemaVersion: 'SCORM 2004 Final' }));
    expect(manifest.version).toBe('2004');
    expect(manifest.warnings[0]).toContain('<schemaversion> "SCORM 2004 Final" is not a SCORM version');
  });

  it('with no version clue at all, it is SCORM 1.2, with a warning', () => {
    const manifest = parseManifest(`<manifest identifier="bare"><organizations><organization identifier="o"><item identifier="i" identifierref="r"><title>T</title></item></organization></organizations>
      <resources><resource identifier="r" href="a.html" type="webcontent"/></resources></manifest>`);
    expect(manifest.version).toBe('1.2');
    expect(manifest.warnings).toContain('The manifest does not say which SCORM version it is (no <schemaversion>, no ADL namespaces); it is treated as SCORM 1.2.');
  });

  it('a <schemaversion> that contradicts the namespaces wins, with a warning', () => {
    const manifest = parseManifest(scorm2004({ ...oneItem2004, schemaVersion: '1.2' }));
    expect(manifest.version).toBe('1.2');
    expect(manifest.warnings[0]).toContain('says "1.2" (SCORM 1.2) but the manifest uses SCORM 2004 namespaces');
  });
});

describe('namespaces are matched by URI, not by prefix', () => {
  it('reads ADL elements and attributes under any prefix', () => {
    const xml = `<cp:manifest identifier="m" xmlns:cp="${CP_12}" xmlns:a="${ADLCP_12}">
      <cp:organizations default="o"><cp:organization identifier="o"><cp:title>Course</cp:title>
        <cp:item identifier="i" identifierref="r"><cp:title>Lesson</cp:title><a:masteryscore>75</a:masteryscore></cp:item>
      </cp:organization></cp:organizations>
      <cp:resources><cp:resource identifier="r" type="webcontent" a:scormtype="sco" href="lesson.html"/></cp:resources>
    </cp:manifest>`;
    const manifest = parseManifest(xml);
    expect(manifest.organization.items[0]).toMatchObject({ title: 'Lesson', masteryScore: 75, scormType: 'sco' });
    expect(manifest.version).toBe('1.2');
  });

  it('ignores an "adlcp:" prefix bound to a namespace that is not ADL’s', () => {
    const xml = scorm12({ items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: sco12('r', 'a.html') }).replace(
      `xmlns:adlcp="${ADLCP_12}"`,
      'xmlns:adlcp="urn:example:not-adl"',
    );
    const manifest = parseManifest(xml);
    expect(manifest.resources[0]!.scormType).toBe('asset');
    expect(manifest.warnings).toContain('The resource "r" has no adlcp:scormType; it is treated as an asset (launched without SCORM tracking).');
  });

  it('reads a manifest with no namespace at all', () => {
    const manifest = parseManifest(`<manifest identifier="plain"><organizations default="o"><organization identifier="o"><title>Plain</title>
      <item identifier="i" identifierref="r"><title>T</title></item></organization></organizations>
      <resources><resource identifier="r" href="a.html" type="webcontent"/></resources></manifest>`);
    expect(manifest.organization.title).toBe('Plain');
    expect(manifest.organization.items[0]!.launch?.path).toBe('a.html');
  });
});

describe('SCORM 1.2 item data', () => {
  it('reads masteryscore, maxtimeallowed, timelimitaction, datafromlms, prerequisites, isvisible and parameters', () => {
    const manifest = parseManifest(
      scorm12({
        items: `<item identifier="i1" identifierref="r" isvisible="false" parameters="?mode=review">
            <title>  Final
              exam </title>
            <adlcp:prerequisites type="aicc_script">intro</adlcp:prerequisites>
            <adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>
            <adlcp:timelimitaction>exit,message</adlcp:timelimitaction>
            <adlcp:datafromlms>difficulty=hard</adlcp:datafromlms>
            <adlcp:masteryscore>80</adlcp:masteryscore>
          </item>`,
        resources: sco12('r', 'exam.html'),
      }),
    );
    expect(manifest.organization.items[0]).toMatchObject({
      identifier: 'i1',
      title: 'Final exam',
      isVisible: false,
      parameters: '?mode=review',
      masteryScore: 80,
      maxTimeAllowed: '00:30:00',
      timeLimitAction: 'exit,message',
      dataFromLms: 'difficulty=hard',
      prerequisites: 'intro',
      launch: { path: 'exam.html', query: '?mode=review', fragment: '', href: 'exam.html?mode=review' },
    });
    expect(manifest.warnings).toEqual([]);
  });

  it('ignores a mastery score outside 0-100, with a warning', () => {
    const manifest = parseManifest(scorm12({ items: '<item identifier="i" identifierref="r"><title>T</title><adlcp:masteryscore>eighty</adlcp:masteryscore></item>', resources: sco12('r', 'a.html') }));
    expect(manifest.organization.items[0]!.masteryScore).toBeNull();
    expect(manifest.warnings).toEqual(['The item "i" has adlcp:masteryscore "eighty", which is not a number from 0 to 100; it is ignored.']);
  });
});

describe('SCORM 2004 item data', () => {
  it('reads a 4th-edition completion threshold (attributes), dataFromLMS and the primary objective', () => {
    const manifest = parseManifest(
      scorm2004({
        items: `<item identifier="i" identifierref="r"><title>Quiz</title>
            <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75" progressWeight="2"/>
            <adlcp:dataFromLMS>level=2</adlcp:dataFromLMS>
            <adlcp:timeLimitAction>continue,no message</adlcp:timeLimitAction>
            <imsss:sequencing>
              <imsss:objectives>
                <imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective>
              </imsss:objectives>
            </imsss:sequencing>
          </item>`,
        resources: sco2004('r', 'quiz.html'),
      }),
    );
    const [item] = manifest.organization.items;
    expect(item).toMatchObject({
      completionThreshold: { completedByMeasure: true, minProgressMeasure: 0.75, progressWeight: 2 },
      dataFromLms: 'level=2',
      timeLimitAction: 'continue,no message',
      primaryObjective: { objectiveId: 'pass', satisfiedByMeasure: true, minNormalizedMeasure: 0.6 },
    });
    // The sequencing XML stands on its own: it declares the imsss prefix it uses.
    const reparsed = new DOMParser().parseFromString(item!.sequencingXml!, 'text/xml').documentElement!;
    expect(reparsed.namespaceURI).toBe(IMSSS);
    expect(reparsed.localName).toBe('sequencing');
  });

  it('reads a 3rd-edition completion threshold (element text)', () => {
    const manifest = parseManifest(
      scorm2004({ schemaVersion: '2004 3rd Edition', items: '<item identifier="i" identifierref="r"><title>T</title><adlcp:completionThreshold>0.8</adlcp:completionThreshold></item>', resources: sco2004('r', 'a.html') }),
    );
    expect(manifest.organization.items[0]!.completionThreshold).toEqual({ minProgressMeasure: 0.8, completedByMeasure: null, progressWeight: null });
  });

  it('reads a completion threshold written as an attribute of the item', () => {
    const manifest = parseManifest(scorm2004({ items: '<item identifier="i" identifierref="r" adlcp:completionThreshold="0.5"><title>T</title></item>', resources: sco2004('r', 'a.html') }));
    expect(manifest.organization.items[0]!.completionThreshold).toEqual({ minProgressMeasure: 0.5, completedByMeasure: null, progressWeight: null });
  });

  it('takes the primary objective from the sequencing collection when the item refers to it by IDRef', () => {
    const manifest = parseManifest(
      scorm2004({
        items: '<item identifier="i" identifierref="r"><title>T</title><imsss:sequencing IDRef="shared"/></item>',
        resources: sco2004('r', 'a.html'),
        beforeResources: `<imsss:sequencingCollection>
            <imsss:sequencing ID="shared"><imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.9</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives></imsss:sequencing>
          </imsss:sequencingCollection>`,
      }),
    );
    expect(manifest.organization.items[0]!.primaryObjective).toEqual({ objectiveId: null, satisfiedByMeasure: true, minNormalizedMeasure: 0.9 });
    expect(manifest.sequencingCollectionXml).toContain('ID="shared"');
    expect(manifest.organization.items[0]!.sequencingXml).toContain('IDRef="shared"');
  });

  it('keeps the organization’s sequencing and its global-objective flags', () => {
    const manifest = parseManifest(
      scorm2004({
        items: '<item identifier="i" identifierref="r"><title>T</title></item>',
        resources: sco2004('r', 'a.html'),
        organizationExtra: '<imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>',
      }).replace('<organization identifier="org">', '<organization identifier="org" adlseq:objectivesGlobalToSystem="false" adlcp:sharedDataGlobalToSystem="true">'),
    );
    expect(manifest.organization).toMatchObject({ objectivesGlobalToSystem: false, sharedDataGlobalToSystem: true });
    expect(manifest.organization.sequencingXml).toContain('<imsss:controlMode choice="false" flow="true"/>');
  });
});

describe('organizations', () => {
  const twoOrganizations = (defaultAttribute: string) => `<manifest identifier="m" xmlns="${CP_12}" xmlns:adlcp="${ADLCP_12}">
    <organizations ${defaultAttribute}>
      <organization identifier="short"><title>Short version</title><item identifier="s1" identifierref="r"><title>S</title></item></organization>
      <organization identifier="full"><title>Full version</title><item identifier="f1" identifierref="r"><title>F</title></item></organization>
    </organizations>
    <resources>${sco12('r', 'a.html')}</resources></manifest>`;

  it('uses the default organization and warns that the others are ignored', () => {
    const manifest = parseManifest(twoOrganizations('default="full"'));
    expect(manifest.organization).toMatchObject({ identifier: 'full', title: 'Full version' });
    expect(manifest.organizationCount).toBe(2);
    expect(manifest.warnings).toContain('The manifest has 2 organizations; only the default one, "full", is offered to learners and the others are ignored.');
  });

  it('uses the first organization when the default names none of them', () => {
    const manifest = parseManifest(twoOrganizations('default="missing"'));
    expect(manifest.organization.identifier).toBe('short');
    expect(manifest.warnings).toContain('<organizations default="missing"> names no organization of the manifest; the first organization is used.');
  });

  it('offers each SCO resource as an item when there is no organization, and says so', () => {
    const manifest = parseManifest(`<manifest identifier="m" xmlns="${CP_12}" xmlns:adlcp="${ADLCP_12}"><organizations/>
      <resources>${sco12('intro', 'intro/index.html')}<resource identifier="css" type="webcontent" adlcp:scormtype="asset" href="style.css"/>${sco12('quiz', 'quiz/index.html')}</resources></manifest>`);
    expect(manifest.organization.synthesized).toBe(true);
    expect(manifest.organization.items.map((item) => [item.identifier, item.title, item.launch?.href])).toEqual([
      ['intro', 'intro', 'intro/index.html'],
      ['quiz', 'quiz', 'quiz/index.html'],
    ]);
    expect(manifest.warnings).toEqual([MISSING_ORGANIZATION_WARNING]);
  });

  it('still refuses an escaping href in a SCO resource offered without an organization', () => {
    expect(parseError(`<manifest xmlns="${CP_12}" xmlns:adlcp="${ADLCP_12}"><organizations/><resources>${sco12('r', '../../x.html')}</resources></manifest>`)).toMatchObject({
      code: 'scorm.launch_outside_package',
      message: expect.stringContaining('The resource "r" launches'),
    });
  });
});

describe('nothing to launch', () => {
  it.each([
    ['no organization and only assets', `<manifest xmlns="${CP_12}" xmlns:adlcp="${ADLCP_12}"><organizations/><resources><resource identifier="a" adlcp:scormtype="asset" href="a.css" type="webcontent"/></resources></manifest>`, 'no SCO resource'],
    ['an organization without items', `<manifest xmlns="${CP_12}"><organizations><organization identifier="empty"><title>E</title></organization></organizations><resources/></manifest>`, 'the organization "empty" has no items'],
    [
      'items whose resources are missing or have no href',
      scorm12({
        items: '<item identifier="a" identifierref="nowhere"><title>A</title></item><item identifier="b" identifierref="nohref"><title>B</title></item>',
        resources: '<resource identifier="nohref" type="webcontent" adlcp:scormtype="asset"/>',
      }),
      'none of the 2 items',
    ],
  ])('refuses %s', (_case, xml, why) => {
    expect(parseError(xml)).toMatchObject({ code: 'scorm.nothing_launchable', message: expect.stringContaining(why) });
  });

  it('keeps launchable items and warns about the ones that cannot launch', () => {
    const manifest = parseManifest(
      scorm12({
        items: '<item identifier="ok" identifierref="r"><title>OK</title></item><item identifier="broken" identifierref="nowhere"><title>Broken</title></item><item identifier="empty"><title>Empty</title></item>',
        resources: sco12('r', 'a.html'),
      }),
    );
    expect(flattenItems(manifest.organization.items).map((item) => item.launch?.path ?? null)).toEqual(['a.html', null, null]);
    expect(manifest.warnings).toEqual([
      'The item "broken" refers to the resource "nowhere", which the manifest does not define; it cannot be launched.',
      'The item "empty" has no sub-items and no resource, so there is nothing to launch from it.',
    ]);
  });
});

describe('resources', () => {
  it('combines xml:base of manifest, resources and resource with the href and the files', () => {
    const xml = `<manifest identifier="m" xmlns="${CP_12}" xmlns:adlcp="${ADLCP_12}" xml:base="course/">
      <organizations default="o"><organization identifier="o"><title>C</title><item identifier="i" identifierref="r" parameters="lang=fr"><title>T</title></item></organization></organizations>
      <resources xml:base="content">
        <resource identifier="r" type="webcontent" adlcp:scormtype="sco" xml:base="sco1/" href="index.html?autoplay=0">
          <file href="index.html"/><file href="media/intro%20video.mp4"/><file href="../shared/api.js"/><dependency identifierref="shared"/>
        </resource>
      </resources></manifest>`;
    const manifest = parseManifest(xml);
    expect(manifest.resources[0]).toMatchObject({
      base: 'course/content/sco1/',
      href: 'index.html?autoplay=0',
      files: ['course/content/sco1/index.html', 'course/content/sco1/media/intro video.mp4', 'course/content/shared/api.js'],
      dependencies: ['shared'],
    });
    expect(manifest.organization.items[0]!.launch).toEqual({
      path: 'course/content/sco1/index.html',
      query: '?autoplay=0&lang=fr',
      fragment: '',
      href: 'course/content/sco1/index.html?autoplay=0&lang=fr',
    });
  });

  it('reads SCORM 1.2 "scormtype" and SCORM 2004 "scormType" alike', () => {
    const m12 = parseManifest(scorm12({ items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: sco12('r', 'a.html') }));
    const m2004 = parseManifest(scorm2004({ items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: sco2004('r', 'a.html') }));
    expect([m12.resources[0]!.scormType, m2004.resources[0]!.scormType]).toEqual(['sco', 'sco']);
  });

  it('refuses an item whose resource sits under an absolute xml:base', () => {
    const xml = scorm12({ items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: '<resource identifier="r" type="webcontent" adlcp:scormtype="sco" xml:base="https://cdn.example/course/" href="index.html"/>' });
    expect(parseError(xml)).toMatchObject({ code: 'scorm.launch_outside_package', message: expect.stringContaining('has an xml:base that uses the "https:" scheme') });
  });

  it('uses the first of two resources with the same identifier, with a warning', () => {
    const manifest = parseManifest(scorm12({ items: '<item identifier="i" identifierref="r"><title>T</title></item>', resources: sco12('r', 'first.html') + sco12('r', 'second.html') }));
    expect(manifest.organization.items[0]!.launch?.path).toBe('first.html');
    expect(manifest.warnings).toContain('The manifest defines the resource "r" more than once; the first definition is used.');
  });
});

describe('what is ignored is reported', () => {
  function parse2004WithItems(items: string): ParsedManifest {
    return parseManifest(scorm2004({ items, resources: sco2004('r', 'a.html') }));
  }

  it('reports adlnav:presentation once, with how often it occurs', () => {
    const presentation = '<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>';
    const manifest = parse2004WithItems(`<item identifier="a" identifierref="r"><title>A</title>${presentation}</item><item identifier="b" identifierref="r"><title>B</title>${presentation}</item>`);
    expect(manifest.warnings).toEqual([
      '<adlnav:presentation> (which navigation controls to hide) is ignored: the player always shows its own navigation. First seen in item "a". (2 times)',
    ]);
  });

  it('reports shared data (adlcp:data) as unsupported', () => {
    const manifest = parse2004WithItems('<item identifier="a" identifierref="r"><title>A</title><adlcp:data><adlcp:map targetID="notes"/></adlcp:data></item>');
    expect(manifest.warnings[0]).toContain('<adlcp:data> (shared data between SCOs, SCORM 2004 4th edition) is not supported');
  });

  it('reports elements it does not know, naming where they were', () => {
    const manifest = parseManifest(
      scorm12({ items: '<item identifier="a" identifierref="r"><title>A</title><vendor:hint xmlns:vendor="urn:example:vendor">tip</vendor:hint></item>', resources: sco12('r', 'a.html') }),
    );
    expect(manifest.warnings).toEqual(['<vendor:hint> in item "a" is not something this importer understands; it is ignored.']);
  });

  it('does not warn about item metadata, which changes nothing for learners', () => {
    const manifest = parseManifest(scorm12({ items: '<item identifier="a" identifierref="r"><title>A</title><metadata><schema>ADL SCORM</schema></metadata></item>', resources: sco12('r', 'a.html') }));
    expect(manifest.warnings).toEqual([]);
  });

  it('warns when two items share an identifier, since progress is recorded per identifier', () => {
    const manifest = parseManifest(scorm12({ items: '<item identifier="x" identifierref="r"><title>A</title></item><item identifier="x" identifierref="r"><title>B</title></item>', resources: sco12('r', 'a.html') }));
    expect(manifest.warnings).toEqual(['The manifest uses the item identifier "x" more than once; learner progress on those items will be mixed up.']);
  });
});
