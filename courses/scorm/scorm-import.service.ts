import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { withScormPackage } from './package-reader.js';
import type { ParsedItem } from './manifest.js';
import type { PackageLimits } from './package-zip.js';
import * as scormRepository from './scorm.repository.js';
import { enqueueSearchUpdates } from '../../search/sync/outbox.repository.js';
import * as coursesRepository from '../catalogue/courses.repository.js';
import { contentTypeFor } from './content-type.js';

export interface NewCourseInput {
  title: string;
  description: string;
}

export interface ImportedVersion {
  courseId: string;
  versionId: string;
  versionNumber: number;
  standard: 'scorm12' | 'scorm2004';
  itemCount: number;
  fileCount: number;
  warnings: string[];
}

/**
 * Imports an uploaded SCORM zip: validates it completely before writing anything, copies its files to
 * storage under a new prefix of its own (a storage batch: nothing reads the prefix until the version row
 * exists), then records the version and its items in one transaction. On any failure the prefix is deleted,
 * so a refused or broken upload leaves nothing behind.
 */
export function createScormImportService(deps: Pick<AppDeps, 'database' | 'storage' | 'config' | 'logger'>) {
  const { db } = deps.database;
  const limits: PackageLimits = {
    maxEntries: deps.config.scorm.maxEntries,
    maxTotalBytes: deps.config.scorm.maxUncompressedBytes,
    maxCompressionRatio: deps.config.scorm.maxCompressionRatio,
    maxManifestBytes: 2 * 1024 * 1024,
  };

  async function importVersion(actor: Actor, target: { courseId: string } | { newCourse: NewCourseInput }, upload: { path: string; originalName: string }): Promise<ImportedVersion> {
    if (!canPerform(actor, 'course.manage')) throw httpErrors.forbidden();
    if ('courseId' in target && !(await coursesRepository.findCourse(db, target.courseId))) throw httpErrors.notFound('course');
    const courseId = 'courseId' in target ? target.courseId : randomUUID();
    const versionId = randomUUID();
    const prefix = `courses/${courseId}/${versionId}/`;
    let fileCount = 0;
    let totalBytes = 0;
    // Outside the try: a prefix that is not empty is someone else's, and must not be deleted below.
    const files = await deps.storage.openBatch(prefix);
    try {
      const scormPackage = await withScormPackage(upload.path, limits, async (validated, zip) => {
        // Chunks rather than streams: the batch writes each chunk before asking for the next, so none is copied.
        await zip.extractChunks(
          async (name, chunks, size) => {
            await files.put(name, chunks, { contentType: contentTypeFor(name) });
            fileCount++;
            totalBytes += size;
          },
          { concurrency: deps.config.scorm.extractConcurrency },
        );
        return validated;
      });
      const { manifest } = scormPackage;
      const standard = manifest.version === '1.2' ? ('scorm12' as const) : ('scorm2004' as const);
      const items = flattenWithParents(manifest.organization.items);
      const version = await db.transaction(async (tx) => {
        if ('newCourse' in target) {
          await coursesRepository.insertCourse(tx, { id: courseId, title: target.newCourse.title, description: target.newCourse.description, createdById: actor.userId });
        }
        const versionNumber = await scormRepository.nextVersionNumber(tx, courseId);
        const row = await scormRepository.insertVersion(tx, {
          id: versionId,
          courseId,
          versionNumber,
          standard,
          edition: manifest.edition,
          schemaVersion: manifest.schemaVersion,
          storagePrefix: prefix,
          originalFilename: path.basename(upload.originalName).slice(0, 255),
          fileCount,
          totalBytes,
          manifest,
          warnings: scormPackage.warnings,
          uploadedById: actor.userId,
        });
        await scormRepository.insertItems(tx, items.map((item, position) => itemRow(versionId, item, position)));
        // New attempts launch the newest version; attempts in progress keep the version they started on.
        await coursesRepository.updateCourse(tx, courseId, { currentVersionId: versionId });
        // The index follows: new course or new package text, committed with the change.
        await enqueueSearchUpdates(tx, 'course', [courseId]);
        return row;
      });
      deps.logger.info({ courseId, versionId, fileCount, totalBytes, standard }, 'SCORM package imported');
      return { courseId, versionId, versionNumber: version.versionNumber, standard, itemCount: items.length, fileCount, warnings: scormPackage.warnings };
    } catch (err) {
      await deps.storage.deletePrefix(prefix).catch((cleanupErr) => deps.logger.error({ err: cleanupErr, prefix }, 'could not remove the files of a failed import'));
      throw err;
    }
  }

  return {
    createCourseFromPackage: (actor: Actor, input: NewCourseInput, upload: { path: string; originalName: string }) => importVersion(actor, { newCourse: input }, upload),
    addVersion: (actor: Actor, courseId: string, upload: { path: string; originalName: string }) => importVersion(actor, { courseId }, upload),
  };
}

export type ScormImportService = ReturnType<typeof createScormImportService>;

type FlatItem = { item: ParsedItem; parentIdentifier: string | null; depth: number };

function flattenWithParents(items: readonly ParsedItem[], parentIdentifier: string | null = null, depth = 0): FlatItem[] {
  return items.flatMap((item) => [{ item, parentIdentifier, depth }, ...flattenWithParents(item.children, item.identifier, depth + 1)]);
}

function itemRow(versionId: string, { item, parentIdentifier, depth }: FlatItem, position: number) {
  return {
    versionId,
    identifier: item.identifier,
    parentIdentifier,
    position,
    depth,
    title: item.title,
    isVisible: item.isVisible,
    scormType: item.scormType,
    launchHref: item.launch?.href ?? null,
    masteryScore: item.masteryScore,
    maxTimeAllowed: item.maxTimeAllowed,
    timeLimitAction: item.timeLimitAction,
    dataFromLms: item.dataFromLms,
    completionThreshold: item.completionThreshold?.minProgressMeasure ?? null,
    minNormalizedMeasure: item.primaryObjective?.minNormalizedMeasure ?? null,
    satisfiedByMeasure: item.primaryObjective?.satisfiedByMeasure ?? false,
  };
}
