/**
 * Hostile and broken packages, each built here so that its intent is readable. Every refusal is checked twice:
 * the error code, and that extraction wrote nothing (writeEntry never called, target folder empty).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppError } from '../../../server/http/app-error.js';
import { extractScormPackage, readScormPackage } from '../../../courses/scorm/package-reader.js';
import { DEFAULT_PACKAGE_LIMITS, extractPackageZip, inspectPackageZip, withPackageZip, type PackageLimits } from '../../../courses/scorm/package-zip.js';
import { makeTempDir, rawZip, recordingWriter, yazlZip } from '../../helpers/zip-builder.js';

const MiB = 1024 * 1024;

/** A valid SCORM 1.2 manifest with one SCO; `href` is the launch page. */
function manifest12(href = 'index.html'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="adversarial" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Course</title>
    <item identifier="item" identifierref="res"><title>Lesson</title></item>
  </organization></organizations>
  <resources><resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="${href}"><file href="index.html"/></resource></resources>
</manifest>`;
}

/** The files of a harmless package; hostile entries are added after them, so refusing means checking every entry first. */
const harmless = [
  { name: 'imsmanifest.xml', data: Buffer.from(manifest12()) },
  { name: 'index.html', data: Buffer.from('<!doctype html><title>Lesson</title>') },
];

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let caseNumber = 0;

beforeAll(async () => {
  temp = await makeTempDir('scorm-adversarial-');
});
afterAll(async () => {
  await temp.cleanup();
});

async function targetFolder(): Promise<string> {
  caseNumber += 1;
  const folder = path.join(temp.dir, `out-${caseNumber}`);
  await mkdir(folder);
  return folder;
}

/** The zip is refused while its central directory is read: by inspect, by extract (before any write) and by the reader. */
async function expectRefusedBeforeExtraction(zip: Buffer, code: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<AppError> {
  const zipPath = await temp.write('case.zip', zip);
  await expect(inspectPackageZip(zipPath, limits)).rejects.toMatchObject({ code });
  await expect(readScormPackage(zipPath, limits)).rejects.toMatchObject({ code });
  const target = await targetFolder();
  const writer = recordingWriter(target);
  const error = await extractPackageZip(zipPath, limits, writer.writeEntry).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toMatchObject({ code });
  expect(writer.started).toEqual([]);
  expect(await readdir(target)).toEqual([]);
  return error as AppError;
}

/** The zip is sound but the package is not: the full import (read, then extract) refuses it before writing. */
async function expectPackageRefused(zip: Buffer, code: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<AppError> {
  const zipPath = await temp.write('package.zip', zip);
  const target = await targetFolder();
  const writer = recordingWriter(target);
  const error = await extractScormPackage(zipPath, limits, writer.writeEntry).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toMatchObject({ code });
  expect(writer.started).toEqual([]);
  expect(await readdir(target)).toEqual([]);
  return error as AppError;
}

/**
 * The central directory cannot show the problem (a lie about what the data inflates to): inspection passes,
 * and extraction must stop inside the entry, so writeEntry never receives a complete file.
 */
async function expectRefusedWhileExtracting(zip: Buffer, code: string) {
  const zipPath = await temp.write('lying.zip', zip);
  await expect(inspectPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS)).resolves.toBeDefined();
  const target = await targetFolder();
  const writer = recordingWriter(target);
  const error = await extractPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS, writer.writeEntry).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toMatchObject({ code });
  expect(writer.completed).toEqual([]);
  expect(await readdir(target)).toEqual([]);
  return { error: error as AppError, writer };
}

describe('entry names that would escape the package folder', () => {
  it.each([
    ['../evil.html', 'climbs out of the package with ".."'],
    ['lessons/../../evil.html', 'climbs out of the package with ".."'],
    ['/etc/cron.d/evil', 'is an absolute path'],
    ['C:/Windows/evil.dll', 'starts with a drive letter'],
    ['lessons\\..\\..\\evil.html', 'contains a backslash'],
    ['a\\b.html', 'contains a backslash'],
  ])('refuses %j, naming it', async (name, why) => {
    const error = await expectRefusedBeforeExtraction(rawZip([...harmless, { name, data: Buffer.from('pwned') }]), 'scorm.path_traversal');
    expect(error.message).toContain(JSON.stringify(name));
    expect(error.message).toContain(why);
    expect(error.details).toEqual({ entry: name });
  });

  it.each([
    ['index\u0000.html', 'control character'],
    ['line\nbreak.html', 'control character'],
    ['lessons//index.html', 'empty or "." folder'],
    ['./index2.html', 'empty or "." folder'],
  ])('refuses the odd name %j', async (name, why) => {
    const error = await expectRefusedBeforeExtraction(rawZip([...harmless, { name, data: Buffer.from('x') }]), 'scorm.invalid_entry_name');
    expect(error.message).toContain(why);
  });
});

describe('entries that are not plain files', () => {
  it('refuses a symbolic link (unix mode S_IFLNK in the external attributes)', async () => {
    const zip = await yazlZip([...harmless, { name: 'passwd.html', data: '/etc/passwd', mode: 0o120777 }]);
    const error = await expectRefusedBeforeExtraction(zip, 'scorm.symlink_entry');
    expect(error.message).toContain('"passwd.html" is a symbolic link');
  });

  it('allows folder entries and skips them', async () => {
    const zipPath = await temp.write('folders.zip', await yazlZip([{ folder: 'lessons' }, ...harmless, { name: 'lessons/one.html', data: 'one' }]));
    expect((await inspectPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS)).map((entry) => entry.name)).toEqual(['imsmanifest.xml', 'index.html', 'lessons/one.html']);
  });

  it('refuses a password-protected entry', async () => {
    const zip = rawZip([...harmless, { name: 'secret.html', data: Buffer.from('x'.repeat(100)), method: 'deflated', extraFlags: 0x1 }]);
    await expectRefusedBeforeExtraction(zip, 'scorm.encrypted_entry');
  });

  it('refuses a compression method other than stored and deflate (here 14, LZMA)', async () => {
    const error = await expectRefusedBeforeExtraction(rawZip([...harmless, { name: 'video.mp4', data: Buffer.from('lzma'), methodNumber: 14 }]), 'scorm.unsupported_compression');
    expect(error.message).toContain('method 14');
  });
});

describe('names that collide', () => {
  it('refuses the same name twice', async () => {
    const zip = await yazlZip([...harmless, { name: 'index.html', data: 'second copy' }]);
    const error = await expectRefusedBeforeExtraction(zip, 'scorm.duplicate_entry');
    expect(error.message).toContain('"index.html" more than once');
  });

  it('refuses names that differ only in letter case', async () => {
    const zip = await yazlZip([...harmless, { name: 'Index.html', data: 'other page' }]);
    const error = await expectRefusedBeforeExtraction(zip, 'scorm.duplicate_entry');
    expect(error.message).toContain('both "index.html" and "Index.html"');
  });

  it('refuses names that differ only in Unicode normalisation (é composed and decomposed)', async () => {
    const zip = await yazlZip([...harmless, { name: 'caf\u00e9.html', data: 'a' }, { name: 'cafe\u0301.html', data: 'b' }]);
    await expectRefusedBeforeExtraction(zip, 'scorm.duplicate_entry');
  });

  it('refuses a name used both as a file and as a folder', async () => {
    const zip = await yazlZip([...harmless, { name: 'lessons', data: 'a file' }, { name: 'Lessons/one.html', data: 'a page' }]);
    const error = await expectRefusedBeforeExtraction(zip, 'scorm.duplicate_entry');
    expect(error.message).toContain('both as a file and as a folder');
  });
});

describe('entries that lie about their size', () => {
  it('stops an entry that inflates far past its declared size (50 MiB of zeros declared as 1000 bytes)', async () => {
    const zip = rawZip([{ name: 'small.bin', data: Buffer.alloc(50 * MiB), method: 'deflated', declaredUncompressedSize: 1000 }]);
    const { error, writer } = await expectRefusedWhileExtracting(zip, 'scorm.entry_size_mismatch');
    expect(error.message).toContain('"small.bin" declares 1000 bytes');
    expect(writer.started).toEqual(['small.bin']);
    // Not one byte past the declaration reached the writer.
    expect(writer.bytesReceived).toBeLessThanOrEqual(1000);
  });

  it('stops a large entry (inflated as a stream) that inflates past its declared size', async () => {
    const zip = rawZip([{ name: 'big.js', data: Buffer.alloc(4 * MiB, 'var x = 1;\n'), method: 'deflated', declaredUncompressedSize: 300 * 1024 }]);
    const { error, writer } = await expectRefusedWhileExtracting(zip, 'scorm.entry_size_mismatch');
    expect(error.message).toContain('"big.js" declares 307200 bytes');
    expect(writer.bytesReceived).toBeLessThanOrEqual(300 * 1024);
  });

  it('refuses an entry whose local header places its data inside the next entry', async () => {
    const zip = rawZip([
      { name: 'a.html', data: Buffer.from('<p>first</p>') },
      { name: 'b.html', data: Buffer.from('<p>second, which a.html would take for its own data</p>') },
    ]);
    // The directory stays honest (so no overlap shows there); a.html's local header claims a 20-byte extra field.
    zip.writeUInt16LE(20, 28);
    const { error } = await expectRefusedWhileExtracting(zip, 'scorm.corrupt_entry');
    expect(error.message).toContain('"a.html"');
  });

  it('refuses an entry that inflates to less than declared', async () => {
    const zip = rawZip([{ name: 'short.html', data: Buffer.from('x'.repeat(1000)), method: 'deflated', declaredUncompressedSize: 5000 }]);
    const { error } = await expectRefusedWhileExtracting(zip, 'scorm.entry_size_mismatch');
    expect(error.message).toContain('unpacks to only 1000');
  });

  it('refuses a stored entry whose compressed and uncompressed sizes differ', async () => {
    const zip = rawZip([...harmless, { name: 'stored.html', data: Buffer.from('0123456789'), declaredCompressedSize: 5 }]);
    await expectRefusedBeforeExtraction(zip, 'scorm.entry_size_mismatch');
  });

  it('refuses an entry whose bytes do not match its CRC-32', async () => {
    const zip = rawZip([{ name: 'tampered.html', data: Buffer.from('<p>changed after zipping</p>'), method: 'deflated', declaredCrc32: 0xdeadbeef }]);
    const { error } = await expectRefusedWhileExtracting(zip, 'scorm.corrupt_entry');
    expect(error.message).toContain('CRC-32');
  });
});

describe('size limits', () => {
  it('refuses more entries than maxEntries, from the count in the end record', async () => {
    const files = Array.from({ length: 25 }, (_, i) => ({ name: `page-${i}.html`, data: `page ${i}` }));
    const error = await expectRefusedBeforeExtraction(await yazlZip([...harmless, ...files]), 'scorm.too_many_entries', { ...DEFAULT_PACKAGE_LIMITS, maxEntries: 20 });
    expect(error.message).toContain('27 entries; a package may contain at most 20');
  });

  it('refuses a package whose declared uncompressed total is over maxTotalBytes', async () => {
    const files = Array.from({ length: 3 }, (_, i) => ({ name: `part-${i}.bin`, data: Buffer.alloc(600, i) }));
    const error = await expectRefusedBeforeExtraction(await yazlZip(files), 'scorm.too_large', { ...DEFAULT_PACKAGE_LIMITS, maxTotalBytes: 1000 });
    expect(error.details).toEqual({ totalBytes: 1200, maxBytes: 1000 });
  });

  it('refuses a compression-ratio bomb: 50 MiB of zeros deflated into one entry', async () => {
    const error = await expectRefusedBeforeExtraction(await yazlZip([...harmless, { name: 'bomb.bin', data: Buffer.alloc(50 * MiB) }]), 'scorm.compression_ratio');
    expect(error.message).toContain('"bomb.bin"');
    expect(error.message).toContain('zip bomb');
  });

  it('refuses a zip whose entries are each small but together compress like a bomb', async () => {
    const files = Array.from({ length: 8 }, (_, i) => ({ name: `pad-${i}.bin`, data: Buffer.alloc(512 * 1024) }));
    const error = await expectRefusedBeforeExtraction(await yazlZip([...harmless, ...files]), 'scorm.compression_ratio');
    expect(error.message).toContain('The zip as a whole');
  });

  it('does not judge the ratio of a small entry: 512 KiB of zeros alone is accepted', async () => {
    const zipPath = await temp.write('small-ratio.zip', await yazlZip([...harmless, { name: 'blank.bin', data: Buffer.alloc(512 * 1024) }]));
    const entries = await inspectPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS);
    const blank = entries.find((entry) => entry.name === 'blank.bin')!;
    expect(blank.uncompressedSize / blank.compressedSize).toBeGreaterThan(DEFAULT_PACKAGE_LIMITS.maxCompressionRatio);
  });

  it('refuses central-directory records that share one stored kernel (overlapping-entries bomb)', async () => {
    const kernel = Buffer.alloc(200_000);
    const zip = rawZip([
      { name: 'a.bin', data: kernel, method: 'deflated' },
      { name: 'b.bin', data: kernel, method: 'deflated', sameDataAsEntry: 0 },
      { name: 'c.bin', data: kernel, method: 'deflated', sameDataAsEntry: 0 },
    ]);
    const error = await expectRefusedBeforeExtraction(zip, 'scorm.overlapping_entries');
    expect(error.message).toContain('share the same stored data');
  });
});

describe('manifests that attack the XML reader', () => {
  it('refuses a billion-laughs manifest (nested internal entities)', async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE manifest [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<manifest identifier="m"><organizations><organization identifier="o"><title>&lol9;</title></organization></organizations></manifest>`;
    const error = await expectPackageRefused(await yazlZip([{ name: 'imsmanifest.xml', data: laughs }, harmless[1]!]), 'scorm.manifest_doctype');
    expect(error.message).toContain('<!DOCTYPE');
  });

  it('refuses a manifest with an external entity (XXE reading a local file)', async () => {
    const xxe = manifest12().replace('<manifest ', '<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<manifest ').replace('<title>Lesson</title>', '<title>&xxe;</title>');
    await expectPackageRefused(await yazlZip([{ name: 'imsmanifest.xml', data: xxe }, harmless[1]!]), 'scorm.manifest_doctype');
  });

  it('refuses a manifest larger than maxManifestBytes without reading it whole', async () => {
    const padded = manifest12().replace('<metadata>', `<!-- ${'x'.repeat(5000)} --><metadata>`);
    const error = await expectPackageRefused(await yazlZip([{ name: 'imsmanifest.xml', data: padded }, harmless[1]!]), 'scorm.manifest_too_large', {
      ...DEFAULT_PACKAGE_LIMITS,
      maxManifestBytes: 1000,
    });
    expect(error.message).toContain('a manifest may be at most 1000 bytes');
  });
});

describe('launch pages outside the package', () => {
  it.each([
    ['../outside.html', 'climbs above the package root'],
    ['lessons/../../outside.html', 'climbs above the package root'],
    ['%2e%2e/outside.html', 'climbs above the package root'],
    ['javascript:alert(document.cookie)', '"javascript:" scheme'],
    ['https://evil.example/phish.html', '"https:" scheme'],
    ['data:text/html,<script>alert(1)</script>', '"data:" scheme'],
    ['//evil.example/phish.html', 'points to another server'],
    ['/etc/passwd', 'is an absolute path'],
  ])('refuses href %j', async (href, why) => {
    const hostile = manifest12(href.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
    const error = await expectPackageRefused(await yazlZip([{ name: 'imsmanifest.xml', data: hostile }, harmless[1]!]), 'scorm.launch_outside_package');
    expect(error.message).toContain('The item "item" launches');
    expect(error.message).toContain(why);
  });
});

describe('zips that are not SCORM packages', () => {
  it('refuses a manifest in a sub-folder, saying where it was found', async () => {
    const zip = await yazlZip([
      { name: 'Golf Course/imsmanifest.xml', data: manifest12() },
      { name: 'Golf Course/index.html', data: 'lesson' },
    ]);
    const error = await expectPackageRefused(zip, 'scorm.manifest_missing');
    expect(error.message).toContain('imsmanifest.xml must be at the root of the zip, found at Golf Course/imsmanifest.xml');
  });

  it('does not take macOS metadata (__MACOSX/) for a nested manifest', async () => {
    const zip = await yazlZip([{ name: 'index.html', data: 'x' }, { name: '__MACOSX/._imsmanifest.xml', data: 'resource fork' }]);
    const error = await expectPackageRefused(zip, 'scorm.manifest_missing');
    expect(error.details).toEqual({ nestedAt: null });
  });

  it('refuses an AICC course as unsupported, saying which formats are', async () => {
    const zip = await yazlZip([{ name: 'course.crs', data: '[Course]' }, { name: 'course.au', data: '"system_id"' }, { name: 'course.des', data: '' }, { name: 'course.cst', data: '' }]);
    const error = await expectPackageRefused(zip, 'scorm.unsupported_format');
    expect(error.message).toContain('AICC is not supported; only SCORM 1.2 and SCORM 2004');
  });

  it.each([
    ['a text file', Buffer.from('This is definitely a zip file, trust me.')],
    ['an empty file', Buffer.alloc(0)],
    ['a PDF', Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')],
  ])('refuses %s as not a zip', async (_what, bytes) => {
    const error = await expectRefusedBeforeExtraction(bytes, 'scorm.not_a_zip');
    expect(error.message).toContain('not a readable zip archive');
  });

  it('refuses a truncated zip (an interrupted upload) as not a zip', async () => {
    const whole = await yazlZip(harmless);
    await expectRefusedBeforeExtraction(whole.subarray(0, Math.floor(whole.length / 2)), 'scorm.not_a_zip');
  });
});

describe('extracting many files at once', () => {
  /** Stored and deflated files, small and large (several read buffers long, and inflated as a stream), random bytes. */
  const files = [
    ...harmless,
    ...Array.from({ length: 24 }, (_, i) => ({ name: `assets/image-${i}.png`, data: randomBytes(1000 + i * 37_000), compress: false })),
    ...Array.from({ length: 24 }, (_, i) => ({ name: `lessons/page-${i}.html`, data: Buffer.from(`<p>page ${i}</p>`.repeat(50 + i * 400)) })),
    { name: 'media/clip.mp4', data: randomBytes(3 * MiB + 123), compress: false },
    { name: 'scripts/large.js', data: Buffer.from(Array.from({ length: 40_000 }, (_, i) => `var v${i} = ${(i * 7919) % 100_003};\n`).join('')) },
  ];

  it('hands every file over byte for byte, in chunks and as streams, whatever the concurrency', async () => {
    const zipPath = await temp.write('many.zip', await yazlZip(files));
    for (const concurrency of [1, 4, 8]) {
      const received = new Map<string, Buffer>();
      await withPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS, (zip) =>
        zip.extractChunks(
          async (name, chunks) => {
            const parts: Buffer[] = [];
            // A chunk's memory is reused once the next is asked for: copy, as the contract says.
            for await (const chunk of chunks) parts.push(Buffer.from(chunk));
            received.set(name, Buffer.concat(parts));
          },
          { concurrency },
        ),
      );
      expect(received.size).toBe(files.length);
      for (const file of files) expect(received.get(file.name)!.equals(Buffer.from(file.data))).toBe(true);
    }

    const streamed = new Map<string, Buffer>();
    await extractPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS, async (name, stream) => {
      // A stream's chunks stay valid: keep them all before looking.
      const parts: Buffer[] = [];
      for await (const chunk of stream) parts.push(chunk as Buffer);
      streamed.set(name, Buffer.concat(parts));
    });
    for (const file of files) expect(streamed.get(file.name)!.equals(Buffer.from(file.data))).toBe(true);
  });

  it('settles only once every writer in flight has settled, and starts no file after a failure', async () => {
    const lying = { name: 'assets/lie.bin', data: Buffer.alloc(2 * MiB), method: 'deflated' as const, declaredUncompressedSize: 1000 };
    const honest = files.slice(2, 40).map((f) => ({ name: f.name, data: Buffer.from(f.data) }));
    const zipPath = await temp.write('lie-in-the-middle.zip', rawZip([...harmless, ...honest.slice(0, 10), lying, ...honest.slice(10)]));
    let inFlight = 0;
    let started = 0;
    const error = await extractPackageZip(
      zipPath,
      DEFAULT_PACKAGE_LIMITS,
      async (_name, stream) => {
        started++;
        inFlight++;
        try {
          for await (const _chunk of stream) await new Promise((resolve) => setTimeout(resolve, 5));
        } finally {
          // Slow to give up, as a storage write can be.
          await new Promise((resolve) => setTimeout(resolve, 20));
          inFlight--;
        }
      },
      { concurrency: 4 },
    ).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: 'scorm.entry_size_mismatch' });
    expect(inFlight).toBe(0);
    // The lie is the 13th of 41 files; at most the three others in flight with it may have started after it.
    expect(started).toBeLessThanOrEqual(16);
  });

  it('refuses a concurrency that is not a whole number of at least 1', async () => {
    const zipPath = await temp.write('concurrency.zip', await yazlZip(harmless));
    for (const concurrency of [0, -1, 1.5]) {
      await expect(extractPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS, async () => {}, { concurrency })).rejects.toThrow(RangeError);
    }
  });
});

describe('extractPackageZip and its writer', () => {
  it('reports the package error, not the writer’s wrapping of it', async () => {
    const zipPath = await temp.write('wrapped.zip', rawZip([{ name: 'small.bin', data: Buffer.alloc(MiB), method: 'deflated', declaredUncompressedSize: 10 }]));
    const wrappingWriter = async (_name: string, stream: NodeJS.ReadableStream) => {
      try {
        for await (const _chunk of stream) {
          // read on
        }
      } catch (err) {
        throw new Error(`upload to storage failed: ${(err as Error).message}`);
      }
    };
    await expect(extractPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS, wrappingWriter)).rejects.toMatchObject({ code: 'scorm.entry_size_mismatch' });
  });

  it('fails loudly when the writer returns without reading its stream', async () => {
    const zipPath = await temp.write('unread.zip', await yazlZip(harmless));
    await expect(extractPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS, async () => {})).rejects.toThrow('without reading its stream to the end');
  });

  it('stops at the first writer failure', async () => {
    const zipPath = await temp.write('writer-fails.zip', await yazlZip(harmless));
    const seen: string[] = [];
    await expect(
      extractPackageZip(zipPath, DEFAULT_PACKAGE_LIMITS, async (name) => {
        seen.push(name);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(seen).toEqual(['imsmanifest.xml']);
  });
});
