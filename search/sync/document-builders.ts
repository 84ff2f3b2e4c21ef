import type { Executor } from '../../server/db/database.js';
import type { Storage } from '../../server/storage/storage.js';
import type { SearchDocument } from '../search.types.js';
import { loadAssetsForIndex, loadCoursesForIndex, loadManagedTagsForIndex } from './document-source.repository.js';
import { htmlToText } from './html-text.js';

/** Text kept per item (file text, package text): enough to find it, bounded so one huge file cannot bloat the index. */
export const BODY_CAP_CHARS = 100_000;
/** HTML files larger than this are skipped: generated bundles, not prose. */
const MAX_HTML_FILE_BYTES = 2 * 1024 * 1024;

const capped = (text: string) => (text.length > BODY_CAP_CHARS ? text.slice(0, BODY_CAP_CHARS) : text);

/** Asset documents: published = has a current version and is not archived. Missing assets are left out. */
export async function buildAssetDocuments(db: Executor, ids: readonly string[]): Promise<SearchDocument[]> {
  const [rows, tags] = [await loadAssetsForIndex(db, ids), await loadManagedTagsForIndex(db, ids)];
  const tagsByAsset = new Map<string, string[]>();
  for (const t of tags) tagsByAsset.set(t.assetId, [...(tagsByAsset.get(t.assetId) ?? []), `${t.groupKey}:${t.label}`]);
  return rows.map((a) => ({
    id: `asset:${a.id}`,
    kind: 'asset',
    entityId: a.id,
    title: a.title,
    description: a.description,
    tags: a.tags,
    managedTags: (tagsByAsset.get(a.id) ?? []).sort(),
    body: capped(a.extractedText ?? ''),
    category: a.category,
    format: a.format ?? 'none',
    language: a.language,
    visiblePartnerTypes: a.visiblePartnerTypes,
    visibleTierIds: a.visibleTierIds,
    visibleRegions: a.visibleRegions,
    published: a.currentVersionId !== null && a.format !== null && a.archivedAt === null,
    expiresAt: a.expiresAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
    popularity: a.downloadCount,
  }));
}

/** The text of a package's HTML pages, read from storage, in key order, up to the cap. */
export async function packageText(storage: Storage, prefix: string): Promise<string> {
  const pieces: string[] = [];
  let length = 0;
  for await (const object of storage.list(prefix)) {
    if (!/\.x?html?$/i.test(object.key) || object.size > MAX_HTML_FILE_BYTES) continue;
    const stored = await storage.get(object.key);
    if (!stored) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of stored.body) chunks.push(Buffer.from(chunk as Uint8Array));
    const text = htmlToText(Buffer.concat(chunks).toString('utf8'));
    if (!text) continue;
    pieces.push(text);
    length += text.length + 1;
    if (length >= BODY_CAP_CHARS) break;
  }
  return capped(pieces.join(' '));
}

/** Course documents: published = status 'published'; body = the current version's HTML text. */
export async function buildCourseDocuments(db: Executor, storage: Storage, ids: readonly string[]): Promise<SearchDocument[]> {
  const rows = await loadCoursesForIndex(db, ids);
  const docs: SearchDocument[] = [];
  for (const c of rows) {
    docs.push({
      id: `course:${c.id}`,
      kind: 'course',
      entityId: c.id,
      title: c.title,
      description: c.description,
      tags: c.tags,
      managedTags: [],
      body: c.storagePrefix ? await packageText(storage, c.storagePrefix) : '',
      category: 'course',
      format: 'scorm',
      language: c.language,
      visiblePartnerTypes: c.visiblePartnerTypes,
      visibleTierIds: c.visibleTierIds,
      visibleRegions: c.visibleRegions,
      published: c.status === 'published',
      expiresAt: null,
      createdAt: c.createdAt.toISOString(),
      popularity: c.completions,
    });
  }
  return docs;
}
