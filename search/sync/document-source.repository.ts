import { asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { assets, assetVersions, assetManagedTags, managedTags, tagGroups } from '../../assets/library/library.table.js';
import { courses } from '../../courses/catalogue/courses.table.js';
import { courseVersions } from '../../courses/scorm/scorm.table.js';
import { attempts } from '../../courses/tracking/tracking.table.js';

/** Assets with their current version's format and text; missing ids are simply absent. */
export async function loadAssetsForIndex(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: assets.id,
      title: assets.title,
      description: assets.description,
      category: assets.category,
      language: assets.language,
      tags: assets.tags,
      visiblePartnerTypes: assets.visiblePartnerTypes,
      visibleTierIds: assets.visibleTierIds,
      visibleRegions: assets.visibleRegions,
      expiresAt: assets.expiresAt,
      archivedAt: assets.archivedAt,
      currentVersionId: assets.currentVersionId,
      downloadCount: assets.downloadCount,
      createdAt: assets.createdAt,
      format: assetVersions.format,
      extractedText: assetVersions.extractedText,
    })
    .from(assets)
    .leftJoin(assetVersions, eq(assetVersions.id, assets.currentVersionId))
    .where(inArray(assets.id, [...ids]));
}

/** Managed tags of these assets as "groupKey:label". */
export async function loadManagedTagsForIndex(db: Executor, assetIds: readonly string[]) {
  if (assetIds.length === 0) return [];
  return db
    .select({ assetId: assetManagedTags.assetId, groupKey: tagGroups.key, label: managedTags.label })
    .from(assetManagedTags)
    .innerJoin(managedTags, eq(managedTags.id, assetManagedTags.tagId))
    .innerJoin(tagGroups, eq(tagGroups.id, managedTags.groupId))
    .where(inArray(assetManagedTags.assetId, [...assetIds]));
}

/** Courses with their current version's storage prefix and how many attempts were completed. */
export async function loadCoursesForIndex(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: courses.id,
      title: courses.title,
      description: courses.description,
      language: courses.language,
      tags: courses.tags,
      status: courses.status,
      visiblePartnerTypes: courses.visiblePartnerTypes,
      visibleTierIds: courses.visibleTierIds,
      visibleRegions: courses.visibleRegions,
      createdAt: courses.createdAt,
      storagePrefix: courseVersions.storagePrefix,
      completions: sql<number>`(select count(*) from ${attempts} a where a.course_id = ${courses.id} and a.completion_status = 'completed')::int`,
    })
    .from(courses)
    .leftJoin(courseVersions, eq(courseVersions.id, courses.currentVersionId))
    .where(inArray(courses.id, [...ids]));
}

/** Ids in id order after `after`, for rebuilding the index in batches. */
export async function listAssetIdsAfter(db: Executor, after: string | null, limit: number): Promise<string[]> {
  const rows = await db.select({ id: assets.id }).from(assets).where(after ? gt(assets.id, after) : undefined).orderBy(asc(assets.id)).limit(limit);
  return rows.map((r) => r.id);
}

export async function listCourseIdsAfter(db: Executor, after: string | null, limit: number): Promise<string[]> {
  const rows = await db.select({ id: courses.id }).from(courses).where(after ? gt(courses.id, after) : undefined).orderBy(asc(courses.id)).limit(limit);
  return rows.map((r) => r.id);
}

export async function countIndexableItems(db: Executor): Promise<number> {
  const [a] = await db.select({ n: sql<number>`count(*)::int` }).from(assets);
  const [c] = await db.select({ n: sql<number>`count(*)::int` }).from(courses);
  return (a?.n ?? 0) + (c?.n ?? 0);
}
