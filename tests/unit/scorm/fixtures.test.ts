import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { flattenItems, MISSING_ORGANIZATION_WARNING, type ParsedItem } from '../../../courses/scorm/manifest.js';
import { extractScormPackage, readScormPackage } from '../../../courses/scorm/package-reader.js';
import { DEFAULT_PACKAGE_LIMITS, readZipEntryText } from '../../../courses/scorm/package-zip.js';
import { scormFixture, scormFixturesDir } from '../../helpers/scorm-fixtures.js';
import { makeTempDir, recordingWriter } from '../../helpers/zip-builder.js';

/** The item tree reduced to what a table of contents shows and what a player launches. */
interface Outline {
  id: string;
  title: string;
  launch: string | null;
  children?: Outline[];
}
function outline(items: readonly ParsedItem[]): Outline[] {
  return items.map((item) => ({
    id: item.identifier,
    title: item.title,
    launch: item.launch?.href ?? null,
    ...(item.children.length > 0 ? { children: outline(item.children) } : {}),
  }));
}

/** What each importable fixture must give; file counts and byte totals are those `unzip -l` reports (folders excluded). */
const importable = {
  'singlescobasic.zip': { version: '1.2', files: 46, bytes: 494_822 },
  'singlesco_scorm12.zip': { version: '1.2', files: 46, bytes: 478_201 },
  'RuntimeMinimumCalls_SCORM12-mini.zip': { version: '1.2', files: 28, bytes: 298_800 },
  'RuntimeBasicCalls_SCORM20043rdEdition.zip': { version: '2004', files: 69, bytes: 644_236 },
  'singlescobasic_missingorg.zip': { version: '1.2', files: 14, bytes: 99_242 },
} as const;

const refused = {
  'badscorm.zip': { code: 'scorm.manifest_missing', message: 'imsmanifest.xml must be at the root of the zip, found at badscorm/imsmanifest.xml' },
  'invalid.zip': { code: 'scorm.manifest_missing', message: 'The zip has no imsmanifest.xml, so it is not a SCORM package' },
  'validscorm.zip': { code: 'scorm.nothing_launchable', message: 'imsmanifest.xml is empty' },
  'validaicc.zip': { code: 'scorm.unsupported_format', message: 'AICC is not supported; only SCORM 1.2 and SCORM 2004 packages are' },
} as const;

describe('the shared SCORM fixtures', () => {
  it('covers every package the fixtures README lists, and no other', async () => {
    const readme = await readFile(path.join(scormFixturesDir(), 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\|\s*([\w.-]+\.zip)\s*\|/gm)].map((match) => match[1]).sort();
    expect(listed).toEqual([...Object.keys(importable), ...Object.keys(refused)].sort());
  });
});

describe('importable fixtures', () => {
  it('singlescobasic.zip: SCORM 1.2, one SCO launched at shared/launchpage.html', async () => {
    const { manifest, warnings } = await readScormPackage(scormFixture('singlescobasic.zip'));
    expect(manifest).toMatchObject({
      identifier: 'com.scorm.golfsamples.runtime.basicruntime.12',
      version: '1.2',
      edition: null,
      schemaVersion: '1.2',
      organizationCount: 1,
    });
    expect(manifest.organization).toMatchObject({ identifier: 'golf_sample_default_org', title: 'Golf Explained - Run-time Basic Calls', synthesized: false });
    expect(outline(manifest.organization.items)).toEqual([{ id: 'item_1', title: 'Golf Explained', launch: 'shared/launchpage.html' }]);
    expect(manifest.organization.items[0]).toMatchObject({ scormType: 'sco', identifierref: 'resource_1', isVisible: true, masteryScore: null });
    expect(manifest.resources).toHaveLength(1);
    expect(manifest.resources[0]).toMatchObject({ identifier: 'resource_1', type: 'webcontent', scormType: 'sco', href: 'shared/launchpage.html', base: '' });
    expect(manifest.resources[0]!.files).toHaveLength(41);
    expect(manifest.resources[0]!.files).toContain('HavingFun/HowToBeStylish.html');
    expect(warnings).toEqual([]);
  });

  it('singlesco_scorm12.zip: SCORM 1.2 content-packaging example with one SCO', async () => {
    const { manifest, warnings } = await readScormPackage(scormFixture('singlesco_scorm12.zip'));
    expect(manifest).toMatchObject({ identifier: 'com.scorm.golfsamples.contentpackaging.singlesco.12', version: '1.2', edition: null });
    expect(manifest.organization.title).toBe('Golf Explained - CP Single SCO');
    expect(outline(manifest.organization.items)).toEqual([{ id: 'item_1', title: 'Golf Explained', launch: 'shared/launchpage.html' }]);
    expect(warnings).toEqual([]);
  });

  it('RuntimeMinimumCalls_SCORM12-mini.zip: nine SCOs in two chapters, quizzes launched with their parameters', async () => {
    const { manifest, warnings } = await readScormPackage(scormFixture('RuntimeMinimumCalls_SCORM12-mini.zip'));
    expect(manifest).toMatchObject({ version: '1.2', schemaVersion: '1.2', identifier: 'com.scorm.golfsamples.runtime.minimumcalls.12' });
    expect(manifest.organization.title).toBe('Golf Explained - Minimum Run-time Calls');
    expect(outline(manifest.organization.items)).toEqual([
      {
        id: 'playing_item',
        title: 'Playing the Game',
        launch: null,
        children: [
          { id: 'playing_playing_item', title: 'How to Play', launch: 'Playing/Playing.html' },
          { id: 'playing_par_item', title: 'Par?', launch: 'Playing/Par.html' },
          { id: 'playing_scoring_item', title: 'Keeping Score', launch: 'Playing/Scoring.html' },
          { id: 'playing_otherscoring_item', title: 'Other Scoring Systems', launch: 'Playing/OtherScoring.html' },
          { id: 'playing_rules_item', title: 'The Rules of Golf', launch: 'Playing/RulesOfGolf.html' },
          { id: 'playing_quiz_item', title: 'Playing Golf Quiz', launch: 'shared/assessmenttemplate.html?questions=Playing' },
        ],
      },
      {
        id: 'havingfun_item',
        title: 'Having Fun',
        launch: null,
        children: [
          { id: 'havingfun_howto_item', title: 'How to Have Fun Playing Golf', launch: 'HavingFun/HowToHaveFun.html' },
          { id: 'havingfun_makefriends_item', title: 'How to Make Friends Playing Golf', launch: 'HavingFun/MakeFriends.html' },
          { id: 'havingfun_quiz_item', title: 'Having Fun Quiz', launch: 'shared/assessmenttemplate.html?questions=HavingFun' },
        ],
      },
    ]);
    const scos = flattenItems(manifest.organization.items).filter((item) => item.scormType === 'sco');
    expect(scos).toHaveLength(9);
    const quiz = scos.find((item) => item.identifier === 'havingfun_quiz_item')!;
    expect(quiz.parameters).toBe('?questions=HavingFun');
    expect(quiz.launch).toEqual({ path: 'shared/assessmenttemplate.html', query: '?questions=HavingFun', fragment: '', href: 'shared/assessmenttemplate.html?questions=HavingFun' });
    // The shared files are an asset resource without an href, reached through dependencies.
    expect(manifest.resources).toHaveLength(10);
    expect(manifest.resources.find((resource) => resource.identifier === 'common_files')).toMatchObject({ scormType: 'asset', href: null });
    expect(manifest.resources.find((resource) => resource.identifier === 'playing_par_resource')!.dependencies).toEqual(['common_files']);
    expect(warnings).toEqual([]);
  });

  it('RuntimeBasicCalls_SCORM20043rdEdition.zip: SCORM 2004 3rd edition, one SCO, sequencing kept as XML', async () => {
    const { manifest, warnings } = await readScormPackage(scormFixture('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
    expect(manifest).toMatchObject({ version: '2004', edition: 3, schemaVersion: '2004 3rd Edition', identifier: 'com.scorm.golfsamples.runtime.basicruntime.20043rd' });
    expect(outline(manifest.organization.items)).toEqual([{ id: 'item_1', title: 'Golf Explained', launch: 'shared/launchpage.html' }]);
    const [item] = manifest.organization.items;
    expect(item).toMatchObject({ scormType: 'sco', completionThreshold: null, primaryObjective: null, masteryScore: null });
    expect(item!.sequencingXml).toMatch(/^<imsss:sequencing xmlns:imsss="http:\/\/www\.imsglobal\.org\/xsd\/imsss">/);
    expect(item!.sequencingXml).toContain('<imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>');
    expect(manifest.organization.sequencingXml).toContain('<imsss:controlMode choice="true" flow="true"/>');
    expect(manifest.organization.objectivesGlobalToSystem).toBe(false);
    expect(manifest.sequencingCollectionXml).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('singlescobasic_missingorg.zip: no organization, so its one SCO resource becomes the item, with a warning', async () => {
    const { manifest, warnings } = await readScormPackage(scormFixture('singlescobasic_missingorg.zip'));
    expect(manifest).toMatchObject({ version: '1.2', organizationCount: 0 });
    expect(manifest.organization.synthesized).toBe(true);
    expect(outline(manifest.organization.items)).toEqual([{ id: 'resource_1', title: 'resource_1', launch: 'sso/launchpage.html' }]);
    expect(manifest.organization.items[0]!.scormType).toBe('sco');
    expect(warnings).toEqual([MISSING_ORGANIZATION_WARNING]);
    expect(warnings[0]).toBe('The manifest has no organization; each SCO resource is offered as its own item.');
  });

  describe('extraction', () => {
    let temp: Awaited<ReturnType<typeof makeTempDir>>;
    beforeAll(async () => {
      temp = await makeTempDir('scorm-fixtures-');
    });
    afterAll(async () => {
      await temp.cleanup();
    });

    it.each(Object.entries(importable))('%s: every file is written whole, and nothing else', async (name, expected) => {
      const target = path.join(temp.dir, name);
      await mkdir(target);
      const writer = recordingWriter(target);
      const { manifest, entries } = await extractScormPackage(scormFixture(name), DEFAULT_PACKAGE_LIMITS, writer.writeEntry);
      expect(manifest.version).toBe(expected.version);
      expect(entries).toHaveLength(expected.files);
      // Several files are extracted at once, so they may complete in any order.
      expect(writer.completed.map((file) => file.name).sort()).toEqual(entries.map((entry) => entry.name).sort());
      expect(writer.completed.every((file) => file.bytes === file.declaredSize)).toBe(true);
      expect(writer.bytesReceived).toBe(expected.bytes);
      expect(await readdir(target)).toHaveLength(expected.files);
      // The written manifest is byte for byte the one the reader parsed (the writer numbers files in the order they start).
      const written = await readFile(path.join(target, String(writer.started.indexOf('imsmanifest.xml') + 1)), 'utf8');
      expect(written).toBe(await readZipEntryText(scormFixture(name), 'imsmanifest.xml', DEFAULT_PACKAGE_LIMITS.maxManifestBytes));
    });
  });
});

describe('refused fixtures', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    temp = await makeTempDir('scorm-refused-');
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it.each(Object.entries(refused))('%s is refused with a clear message, and nothing is written', async (name, expected) => {
    await expect(readScormPackage(scormFixture(name))).rejects.toMatchObject({ code: expected.code });
    const target = path.join(temp.dir, name);
    await mkdir(target);
    const writer = recordingWriter(target);
    const error = await extractScormPackage(scormFixture(name), DEFAULT_PACKAGE_LIMITS, writer.writeEntry).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: expected.code });
    expect((error as Error).message).toContain(expected.message);
    expect(writer.started).toEqual([]);
    expect(await readdir(target)).toEqual([]);
  });

  it('invalid.zip: says no manifest was found anywhere, rather than pointing at a folder', async () => {
    await expect(readScormPackage(scormFixture('invalid.zip'))).rejects.toMatchObject({ details: { nestedAt: null } });
  });
});
