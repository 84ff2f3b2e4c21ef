/**
 * A large, realistic SCORM 1.2 package for the import benchmark, written straight to disk with yazl: nothing of it
 * is held in memory (each file's bytes are produced as yazl asks for them, one entry at a time).
 *
 * Shape (default 4,000 files): a launch page and imsmanifest.xml (one SCO, every file listed as authoring tools
 * do), ~60% small text files (HTML pages, scripts, styles, JSON; compressible, deflated), ~37% images (random
 * bytes, stored, as `zip` does for already-compressed files), and a few dozen large media files (random, stored)
 * that make up the rest of the requested size. The bytes are random, so the zip really is the requested size.
 */
import { randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';

export interface LargePackageOptions {
  /** Sum of the files' sizes, in bytes (the zip is about this size: most bytes are incompressible). */
  totalBytes: number;
  /** Number of files (manifest and launch page included). */
  files: number;
  /** Seed of the size and text generator, so two runs build the same package (apart from the random bytes). */
  seed?: number;
}

export interface LargePackage {
  path: string;
  files: number;
  /** Sum of the uncompressed sizes. */
  totalBytes: number;
  /** Size of the zip file. */
  zipBytes: number;
  folders: number;
  byKind: Record<'text' | 'image' | 'media', { files: number; bytes: number }>;
  elapsedMs: number;
}

interface PlannedFile {
  name: string;
  size: number;
  kind: 'text' | 'image' | 'media';
}

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const logUniform = (random: () => number, min: number, max: number) => Math.round(Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min))));
const pad = (n: number, width: number) => String(n).padStart(width, '0');

const TEXT_KINDS = [
  { folder: 'pages', ext: 'html', min: 2_000, max: 40_000 },
  { folder: 'scripts', ext: 'js', min: 1_000, max: 60_000 },
  { folder: 'styles', ext: 'css', min: 500, max: 20_000 },
  { folder: 'data', ext: 'json', min: 300, max: 30_000 },
] as const;
const IMAGE_EXTS = ['jpg', 'png', 'webp'] as const;
const MEDIA_EXTS = ['mp4', 'mp3'] as const;

export function planPackage(options: LargePackageOptions): PlannedFile[] {
  const random = prng(options.seed ?? 1);
  const count = Math.max(10, options.files) - 2; // imsmanifest.xml and index.html are added after
  const mediaCount = Math.max(1, Math.round(count * 0.02));
  const imageCount = Math.round(count * 0.37);
  const textCount = count - mediaCount - imageCount;
  const planned: PlannedFile[] = [];
  const lessons = Math.max(1, Math.round(textCount / 40));
  for (let i = 0; i < textCount; i++) {
    const kind = TEXT_KINDS[i % TEXT_KINDS.length]!;
    const lesson = i % lessons;
    planned.push({ name: `lessons/lesson-${pad(lesson + 1, 3)}/${kind.folder}/${kind.folder.slice(0, -1)}-${pad(i + 1, 5)}.${kind.ext}`, size: logUniform(random, kind.min, kind.max), kind: 'text' });
  }
  for (let i = 0; i < imageCount; i++) {
    const ext = IMAGE_EXTS[i % IMAGE_EXTS.length]!;
    planned.push({ name: `assets/images/set-${pad((i % 40) + 1, 2)}/image-${pad(i + 1, 5)}.${ext}`, size: logUniform(random, 8_000, 400_000), kind: 'image' });
  }
  // Text and images take at most half the budget; media files (±50% around their mean) take the rest.
  const smallBytes = planned.reduce((sum, f) => sum + f.size, 0);
  const scale = Math.min(1, (options.totalBytes * 0.5) / smallBytes);
  for (const file of planned) file.size = Math.max(1, Math.round(file.size * scale));
  const remaining = options.totalBytes - planned.reduce((sum, f) => sum + f.size, 0);
  const weights = Array.from({ length: mediaCount }, () => 0.5 + random());
  const weightSum = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  for (let i = 0; i < mediaCount; i++) {
    const size = i === mediaCount - 1 ? remaining - given : Math.round((remaining * weights[i]!) / weightSum);
    given += size;
    planned.push({ name: `assets/media/clip-${pad(i + 1, 3)}.${MEDIA_EXTS[i % MEDIA_EXTS.length]!}`, size: Math.max(1, size), kind: 'media' });
  }
  return planned;
}

/** Incompressible bytes, produced chunk by chunk as the consumer reads. */
function randomStream(size: number): Readable {
  let left = size;
  return new Readable({
    highWaterMark: 256 * 1024,
    read() {
      if (left <= 0) return void this.push(null);
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(left, 256 * 1024)));
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

const WORDS =
  'partner learning module lesson quiz score answer question course product pricing discount channel deal registration opportunity pipeline forecast margin customer renewal subscription licence support onboarding certification tier silver gold platinum reseller distributor consultant region market campaign collateral brochure webinar demo trial feature integration security compliance report dashboard analytics'.split(
    ' ',
  );

/** Text that compresses like real markup and scripts (3-5×): words from a small vocabulary, numbers, markup. */
function textStream(size: number, kind: string, seed: number): Readable {
  const random = prng(seed);
  let left = size;
  const line = () => {
    const words = Array.from({ length: 6 + Math.floor(random() * 10) }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');
    const n = Math.floor(random() * 100_000);
    switch (kind) {
      case 'html':
        return `<p class="c${n % 37}" data-id="${n}">${words}.</p>\n`;
      case 'js':
        return `  state.${WORDS[n % WORDS.length]}_${n % 97} = ${JSON.stringify(words)}; // ${n}\n`;
      case 'css':
        return `.${WORDS[n % WORDS.length]}-${n % 211} { margin: ${n % 17}px; color: #${(n % 4096).toString(16).padStart(3, '0')}; }\n`;
      default:
        return `  {"id": ${n}, "text": ${JSON.stringify(words)}, "score": ${n % 101}},\n`;
    }
  };
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      let text = '';
      while (text.length < 16 * 1024) text += line();
      const chunk = Buffer.from(text.slice(0, Math.min(left, text.length)), 'latin1');
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

function manifest(files: string[]): string {
  const listed = files.map((f) => `      <file href="${f}"/>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.bench.large" version="1"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org_1">
    <organization identifier="org_1">
      <title>Benchmark: large generated course</title>
      <item identifier="item_1" identifierref="resource_1">
        <title>Everything</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="resource_1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
${listed}
    </resource>
  </resources>
</manifest>
`;
}

const INDEX_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Large course</title></head>
<body><h1>Large generated course</h1><script>var api = window.parent && window.parent.API; if (api) { api.LMSInitialize(''); api.LMSSetValue('cmi.core.lesson_status', 'completed'); api.LMSFinish(''); }</script></body></html>
`;

/** Writes the package to zipPath; resolves once the file is complete on disk. */
export async function writeLargePackage(zipPath: string, options: LargePackageOptions): Promise<LargePackage> {
  const started = performance.now();
  const planned = planPackage(options);
  const zip = new yazl.ZipFile();
  const mtime = new Date('2026-01-01T00:00:00Z');
  const out = createWriteStream(zipPath);
  zip.outputStream.pipe(out);
  zip.addBuffer(Buffer.from(manifest(planned.map((f) => f.name))), 'imsmanifest.xml', { mtime });
  zip.addBuffer(Buffer.from(INDEX_HTML), 'index.html', { mtime });
  const byKind: LargePackage['byKind'] = { text: { files: 0, bytes: 0 }, image: { files: 0, bytes: 0 }, media: { files: 0, bytes: 0 } };
  const folders = new Set<string>();
  planned.forEach((file, i) => {
    byKind[file.kind].files++;
    byKind[file.kind].bytes += file.size;
    for (let slash = file.name.indexOf('/'); slash !== -1; slash = file.name.indexOf('/', slash + 1)) folders.add(file.name.slice(0, slash));
    const ext = file.name.slice(file.name.lastIndexOf('.') + 1);
    zip.addReadStreamLazy(file.name, { mtime, compress: file.kind === 'text', size: file.size }, (cb) =>
      cb(null, file.kind === 'text' ? textStream(file.size, ext, (options.seed ?? 1) * 100_003 + i) : randomStream(file.size)),
    );
  });
  zip.end();
  await finished(out);
  const totalBytes = planned.reduce((sum, f) => sum + f.size, 0) + Buffer.byteLength(INDEX_HTML) + Buffer.byteLength(manifest(planned.map((f) => f.name)));
  return { path: zipPath, files: planned.length + 2, totalBytes, zipBytes: out.bytesWritten, folders: folders.size, byKind, elapsedMs: performance.now() - started };
}
