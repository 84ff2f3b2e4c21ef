import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { extractScormPackage, readScormPackage } from '../../../courses/scorm/package-reader.js';
import { DEFAULT_PACKAGE_LIMITS, decodeText, readZipEntryText } from '../../../courses/scorm/package-zip.js';
import { makeTempDir, recordingWriter, yazlZip } from '../../helpers/zip-builder.js';

function manifest(resources: string, items = '<item identifier="lesson" identifierref="r"><title>Lesson</title></item>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Course</title>${items}</organization></organizations>
  <resources>${resources}</resources>
</manifest>`;
}

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir('scorm-reader-');
});
afterAll(async () => {
  await temp.cleanup();
});

describe('launch pages must be in the zip', () => {
  it('refuses a package whose launch page is missing, and writes nothing', async () => {
    const zipPath = await temp.write(
      'missing-launch.zip',
      await yazlZip([
        { name: 'imsmanifest.xml', data: manifest('<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="lesson/start.html"/>') },
        { name: 'lesson/other.html', data: 'not the launch page' },
      ]),
    );
    const target = path.join(temp.dir, 'missing-launch');
    await mkdir(target);
    const writer = recordingWriter(target);
    await expect(extractScormPackage(zipPath, DEFAULT_PACKAGE_LIMITS, writer.writeEntry)).rejects.toMatchObject({
      code: 'scorm.launch_file_missing',
      message: expect.stringContaining('item "lesson": "lesson/start.html"'),
    });
    expect(writer.started).toEqual([]);
    expect(await readdir(target)).toEqual([]);
  });

  it('points out a launch page that differs only in letter case', async () => {
    const zipPath = await temp.write(
      'case-launch.zip',
      await yazlZip([
        { name: 'imsmanifest.xml', data: manifest('<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="Index.html"/>') },
        { name: 'index.html', data: 'page' },
      ]),
    );
    await expect(readScormPackage(zipPath)).rejects.toMatchObject({
      code: 'scorm.launch_file_missing',
      message: expect.stringContaining('(the zip has "index.html"; letter case matters on the web)'),
    });
  });

  it('finds launch pages whose names need percent-decoding', async () => {
    const zipPath = await temp.write(
      'spaces.zip',
      await yazlZip([
        { name: 'imsmanifest.xml', data: manifest('<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="My%20Lesson/start.html"/>') },
        { name: 'My Lesson/start.html', data: 'page' },
      ]),
    );
    const { manifest: parsed } = await readScormPackage(zipPath);
    expect(parsed.organization.items[0]!.launch).toMatchObject({ path: 'My Lesson/start.html', href: 'My%20Lesson/start.html' });
  });
});

describe('package-level warnings', () => {
  it('warns about files the manifest lists but the zip lacks, without refusing the package', async () => {
    const zipPath = await temp.write(
      'loose-list.zip',
      await yazlZip([
        {
          name: 'imsmanifest.xml',
          data: manifest('<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/><file href="gone.js"/><file href="gone.css"/></resource>'),
        },
        { name: 'index.html', data: 'page' },
      ]),
    );
    const { warnings, entries } = await readScormPackage(zipPath);
    expect(entries.map((entry) => entry.name)).toEqual(['imsmanifest.xml', 'index.html']);
    expect(warnings).toEqual(['2 files listed in imsmanifest.xml are not in the zip: "gone.js", "gone.css". Pages that load them will not find them.']);
  });

  it('reads a manifest named in the wrong case at the root, with a warning', async () => {
    const zipPath = await temp.write(
      'upper.zip',
      await yazlZip([
        { name: 'IMSManifest.xml', data: manifest('<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/>') },
        { name: 'index.html', data: 'page' },
      ]),
    );
    const { manifest: parsed, warnings } = await readScormPackage(zipPath);
    expect(parsed.organization.items[0]!.launch?.path).toBe('index.html');
    expect(warnings).toEqual(['The manifest is named "IMSManifest.xml"; SCORM requires "imsmanifest.xml" (in lower case). It was read anyway.']);
  });
});

describe('manifest text encodings', () => {
  it('honours an ISO-8859-1 declaration (older European authoring tools)', async () => {
    const xml = manifest('<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/>', '<item identifier="lesson" identifierref="r"><title>Présentation générale</title></item>').replace(
      'encoding="UTF-8"',
      'encoding="ISO-8859-1"',
    );
    const zipPath = await temp.write('latin1.zip', await yazlZip([{ name: 'imsmanifest.xml', data: Buffer.from(xml, 'latin1') }, { name: 'index.html', data: 'page' }]));
    const { manifest: parsed } = await readScormPackage(zipPath);
    expect(parsed.organization.items[0]!.title).toBe('Présentation générale');
  });

  it('honours byte-order marks: UTF-8 and UTF-16', () => {
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<m>é</m>')]))).toBe('<m>é</m>');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<m>é</m>', 'utf16le')]))).toBe('<m>é</m>');
    expect(decodeText(Buffer.from('<m>é</m>'))).toBe('<m>é</m>');
  });

  it('readZipEntryText returns null for an entry the zip does not have', async () => {
    const zipPath = await temp.write('no-such.zip', await yazlZip([{ name: 'index.html', data: 'page' }]));
    await expect(readZipEntryText(zipPath, 'imsmanifest.xml', 1000)).resolves.toBeNull();
  });
});
