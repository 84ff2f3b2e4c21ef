import path from 'node:path';
import type { AppDeps } from '../../server/app-deps.js';
import type { Executor } from '../../server/db/database.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { PARTNER_ROLES, VENDOR_ROLES } from '../../server/tenancy/actor.js';
import { canPerform } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import type { UserRole } from '../../server/users/users.table.js';
import { enqueueSearchUpdates } from '../../search/sync/outbox.repository.js';
import * as coursesRepository from './courses.repository.js';
import * as organisationsRepository from '../../server/organisations/organisations.repository.js';
import { catalogueErrors } from './catalogue.errors.js';
import type { AssignmentInput, SettingsInput } from './catalogue.schema.js';
import { normaliseCover } from './cover-image.js';

export const CATALOGUE_PAGE_SIZE = 24;

/** Where a learner stands on a course, from their enrolment, assignments and latest attempt. */
export type LearnerState = 'not_enrolled' | 'assigned' | 'enrolled' | 'in_progress' | 'completed';

export interface LearnerProgress {
  enrolmentSource: 'self' | 'assigned' | null;
  assigned: boolean;
  attemptNumber: number | null;
  completionStatus: 'not_attempted' | 'incomplete' | 'completed' | 'unknown' | null;
  successStatus: 'passed' | 'failed' | 'unknown' | null;
  scoreScaled: number | null;
  lastAccessedAt: Date | null;
}

/** Completed, or passed: a SCORM 2004 course may report success without a completion status. */
export function isCompleted(p: { completionStatus: string | null; successStatus: string | null }): boolean {
  return p.completionStatus === 'completed' || p.successStatus === 'passed';
}

export function learnerStateOf(p: LearnerProgress): LearnerState {
  if (p.attemptNumber !== null) return isCompleted(p) ? 'completed' : 'in_progress';
  if (p.enrolmentSource !== null) return 'enrolled';
  return p.assigned ? 'assigned' : 'not_enrolled';
}

/** Where a course's cover is stored: named by its content hash, so a replaced cover never shares a URL with the old one. */
export const coverKeyOf = (courseId: string, hash: string) => `covers/${courseId}/${hash}.webp`;

/** The content hash in a cover key (the part of the cover's URL that changes with the image). */
export function coverHashOf(key: string): string | null {
  return /^covers\/[^/]+\/([0-9a-f]{64})\.webp$/.exec(key)?.[1] ?? null;
}

const viewerOf = (actor: Actor): coursesRepository.CatalogueViewer => ({
  userId: actor.userId,
  organisationId: actor.organisationId,
  organisationKind: actor.organisationKind,
  role: actor.role,
});

/**
 * The learner side of courses (catalogue, course page, enrolment, "My learning") and the enablement side's course
 * settings and assignments. Visibility is decided in SQL (courses.repository) from the caller's organisation row;
 * a course the caller may not see is answered exactly like a missing one.
 */
export function createCatalogueService(deps: Pick<AppDeps, 'database' | 'storage' | 'config' | 'logger'>) {
  const { db } = deps.database;

  function assertManager(actor: Actor) {
    if (!canPerform(actor, 'course.manage')) throw httpErrors.forbidden();
  }

  async function loadForManagement(courseId: string, executor: Executor = db, options: { forUpdate?: boolean } = {}) {
    const course = await coursesRepository.findCourse(executor, courseId, options);
    if (!course) throw httpErrors.notFound('course');
    return course;
  }

  async function openableCourse(actor: Actor, courseId: string) {
    const found = await coursesRepository.findCourseForViewer(db, viewerOf(actor), courseId, { preview: canPerform(actor, 'course.manage') });
    if (!found) throw httpErrors.notFound('course');
    return found.course;
  }

  /** Sets the course's cover key under a row lock (so concurrent changes each see the key they replace); returns the key it replaced. */
  async function swapCoverKey(courseId: string, key: string | null) {
    return db.transaction(async (tx) => {
      const before = await loadForManagement(courseId, tx, { forUpdate: true });
      const course = before.coverImageKey === key ? before : (await coursesRepository.updateCourse(tx, courseId, { coverImageKey: key }))!;
      return { course, replacedKey: before.coverImageKey };
    });
  }

  /** Deletes a cover object nothing points to any more; a failure only leaves an orphan behind, so it is logged, not thrown. */
  async function discardCoverObject(key: string) {
    // The key ends in "<64 hex>.webp", so as a prefix it matches that one object only.
    await deps.storage.deletePrefix(key).catch((err) => deps.logger.error({ err, storageKey: key }, 'could not delete a course cover that is no longer used'));
  }

  return {
    /** Where cover uploads are written before setCover reads them (under DATA_DIR, next to package uploads). */
    coverUploadDir: path.join(deps.config.dataDir, 'tmp', 'uploads'),

    async listCatalogue(actor: Actor, filter: { q?: string | undefined; page: number }) {
      const result = await coursesRepository.listCatalogue(db, viewerOf(actor), {
        q: filter.q,
        limit: CATALOGUE_PAGE_SIZE,
        offset: (filter.page - 1) * CATALOGUE_PAGE_SIZE,
      });
      return { ...result, page: filter.page, pageSize: CATALOGUE_PAGE_SIZE };
    },

    /** The course row if the caller may open it (the same rule as the course page), without the page's outline and history. */
    getOpenableCourse: openableCourse,

    /** The course page: the course, its outline (current version), the caller's attempts and what they may do next. */
    async getCourse(actor: Actor, courseId: string) {
      const mayManage = canPerform(actor, 'course.manage');
      const found = await coursesRepository.findCourseForViewer(db, viewerOf(actor), courseId, { preview: mayManage });
      if (!found) throw httpErrors.notFound('course');
      const { course } = found;
      // Per-item marks only make sense when the latest attempt runs on the version whose outline is shown.
      const sameVersion = found.latestAttemptId !== null && found.latestVersionId === course.currentVersionId;
      const [outline, attempts, itemStatuses] = await Promise.all([
        course.currentVersionId ? coursesRepository.listOutline(db, course.currentVersionId) : Promise.resolve([]),
        coursesRepository.listAttemptsOfUser(db, course.id, actor.userId),
        sameVersion ? coursesRepository.listItemStatuses(db, found.latestAttemptId!) : Promise.resolve([]),
      ]);
      return {
        course,
        progress: found satisfies LearnerProgress,
        outline,
        attempts,
        itemStatuses,
        permissions: { mayManage, mayReport: canPerform(actor, 'course.report') },
      };
    },

    /**
     * Self-enrolment (also done by the player on first launch); an assignment that reaches the caller makes it an
     * "assigned" enrolment. Enrolling twice changes nothing; archived courses take no new enrolments.
     */
    async enrol(actor: Actor, courseId: string) {
      const viewer = viewerOf(actor);
      return db.transaction(async (tx) => {
        const found = await coursesRepository.findCourseForViewer(tx, viewer, courseId, { preview: canPerform(actor, 'course.manage') });
        if (!found) throw httpErrors.notFound('course');
        if (found.enrolmentSource !== null) return { course: found.course, created: false };
        // Drafts are found only by the enablement team, who may enrol to try a course in the player before publishing it.
        if (found.course.status === 'archived') throw catalogueErrors.notEnrollable(found.course.status);
        const assigned = await coursesRepository.isAssignedTo(tx, courseId, viewer);
        const enrolment = await coursesRepository.insertEnrolment(tx, {
          courseId,
          userId: actor.userId,
          organisationId: actor.organisationId,
          source: assigned ? 'assigned' : 'self',
        });
        return { course: found.course, created: enrolment !== null };
      });
    },

    myLearning: (actor: Actor) => coursesRepository.listMyLearning(db, viewerOf(actor)),

    /** The settings page: the course, the option lists and its assignments. */
    async getSettings(actor: Actor, courseId: string) {
      assertManager(actor);
      const course = await loadForManagement(courseId);
      const [tiers, organisations, assignments] = await Promise.all([
        organisationsRepository.listTiers(db),
        organisationsRepository.listOrganisations(db, { kind: 'all' }, { limit: 1000, offset: 0 }),
        coursesRepository.listAssignments(db, courseId),
      ]);
      return { course, tiers, organisations: organisations.rows, assignments };
    },

    async updateSettings(actor: Actor, courseId: string, input: SettingsInput) {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const course = await loadForManagement(courseId, tx);
        if (input.status === 'published' && !course.currentVersionId) throw catalogueErrors.publishWithoutContent();
        if (input.visibleTierIds.length) {
          const known = new Set((await organisationsRepository.listTiers(tx)).map((t) => t.id));
          if (input.visibleTierIds.some((id) => !known.has(id))) throw catalogueErrors.tierUnknown();
        }
        const updated = (await coursesRepository.updateCourse(tx, course.id, {
          title: input.title,
          description: input.description,
          durationMinutes: input.durationMinutes,
          tags: input.tags,
          language: input.language,
          status: input.status,
          allowNewAttemptAfterCompletion: input.allowNewAttemptAfterCompletion,
          visiblePartnerTypes: input.visiblePartnerTypes,
          visibleTierIds: input.visibleTierIds,
          visibleRegions: input.visibleRegions,
        }))!;
        // Title, text, status or visibility may have changed: the index follows, committed with the change.
        await enqueueSearchUpdates(tx, 'course', [course.id]);
        return updated;
      });
    },

    /** Assigns the course to an organisation, a role, or a role within an organisation (once each). */
    async addAssignment(actor: Actor, courseId: string, input: AssignmentInput) {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const course = await loadForManagement(courseId, tx);
        if (input.organisationId !== null) {
          const organisation = await organisationsRepository.findOrganisation(tx, { kind: 'all' }, input.organisationId);
          if (!organisation) throw catalogueErrors.organisationUnknown();
          const roles: readonly UserRole[] = organisation.kind === 'vendor' ? VENDOR_ROLES : PARTNER_ROLES;
          if (input.role !== null && !roles.includes(input.role)) throw catalogueErrors.roleOutsideOrganisation(organisation.name);
        }
        if (await coursesRepository.findSameAssignment(tx, course.id, input.organisationId, input.role)) throw catalogueErrors.assignmentExists();
        return coursesRepository.insertAssignment(tx, { courseId: course.id, organisationId: input.organisationId, role: input.role, assignedById: actor.userId });
      });
    },

    /**
     * Makes the uploaded image the course's cover: checked and re-encoded first (a refused file stores nothing),
     * then stored, then the row points to it; the cover it replaces is deleted only once the row no longer
     * points to it. The caller removes the temp file.
     */
    async setCover(actor: Actor, courseId: string, upload: { path: string }) {
      assertManager(actor);
      const current = await loadForManagement(courseId);
      const cover = await normaliseCover(upload.path);
      const key = coverKeyOf(courseId, cover.hash);
      await deps.storage.put(key, cover.webp, { contentType: 'image/webp' });
      let swapped: Awaited<ReturnType<typeof swapCoverKey>>;
      try {
        swapped = await swapCoverKey(courseId, key);
      } catch (err) {
        // The same image uploaded again has the same key: the object is then the live cover, not a leftover.
        if (current.coverImageKey !== key) await discardCoverObject(key);
        throw err;
      }
      if (swapped.replacedKey && swapped.replacedKey !== key) await discardCoverObject(swapped.replacedKey);
      deps.logger.info({ courseId, storageKey: key, width: cover.width, height: cover.height, userId: actor.userId }, 'course cover updated');
      return { course: swapped.course };
    },

    /** Back to the generated cover. Removing a cover that is already gone is not an error (a double-submitted form): removed is then false. */
    async removeCover(actor: Actor, courseId: string) {
      assertManager(actor);
      const { course, replacedKey } = await swapCoverKey(courseId, null);
      if (replacedKey) {
        await discardCoverObject(replacedKey);
        deps.logger.info({ courseId, storageKey: replacedKey, userId: actor.userId }, 'course cover removed');
      }
      return { course, removed: replacedKey !== null };
    },

    /**
     * The cover image of a course the caller may open (the course page's rule); a course they may not see
     * answers 404 exactly like a missing one, and so does a hash that is not the current cover's.
     */
    async getCoverImage(actor: Actor, courseId: string, hash: string) {
      const course = await openableCourse(actor, courseId);
      const key = coverKeyOf(course.id, hash);
      if (course.coverImageKey !== key) throw httpErrors.notFound('cover image');
      const image = await deps.storage.get(key);
      if (!image) throw httpErrors.notFound('cover image');
      return image;
    },

    /** Removing an assignment that is already gone is not an error (a double-submitted form): removed is then false. */
    async removeAssignment(actor: Actor, courseId: string, assignmentId: string) {
      assertManager(actor);
      const course = await loadForManagement(courseId);
      return { course, removed: await coursesRepository.deleteAssignment(db, course.id, assignmentId) };
    },
  };
}

export type CatalogueService = ReturnType<typeof createCatalogueService>;
