import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform, scopeFor } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import * as coursesRepository from './courses.repository.js';

export const REPORT_PAGE_SIZE = 100;

/**
 * Who took a course and how it went. The vendor side sees every organisation's learners (and may filter by
 * organisation); a partner admin sees only their own organisation's, and only for courses that concern it:
 * any other course answers 404 like a missing one.
 */
export function createCourseReportService(deps: Pick<AppDeps, 'database'>) {
  const { db } = deps.database;

  async function loadReportable(actor: Actor, courseId: string) {
    if (!canPerform(actor, 'course.report')) throw httpErrors.forbidden();
    const course = await coursesRepository.findCourse(db, courseId);
    if (!course) throw httpErrors.notFound('course');
    const scope = scopeFor(actor);
    if (scope.kind === 'organisation' && !(await coursesRepository.courseConcernsOrganisation(db, course.id, scope.organisationId))) throw httpErrors.notFound('course');
    return { course, scope };
  }

  return {
    async getReport(actor: Actor, courseId: string, filter: { organisationId?: string | undefined; page: number }) {
      const { course, scope } = await loadReportable(actor, courseId);
      const reportFilter = { scope, organisationId: filter.organisationId };
      const [rows, summary, organisations] = await Promise.all([
        coursesRepository.listCourseReport(db, course.id, reportFilter, { limit: REPORT_PAGE_SIZE, offset: (filter.page - 1) * REPORT_PAGE_SIZE }),
        coursesRepository.summariseCourseReport(db, course.id, reportFilter),
        // Only the vendor side chooses between organisations; a partner admin's scope is one organisation.
        scope.kind === 'all' ? coursesRepository.listCourseReportOrganisations(db, course.id, scope) : Promise.resolve(null),
      ]);
      return { course, rows, summary, organisations, total: summary.learners, page: filter.page, pageSize: REPORT_PAGE_SIZE, scope };
    },

    /** Every row of the report (no pages), for the CSV download. */
    async exportReport(actor: Actor, courseId: string, filter: { organisationId?: string | undefined }) {
      const { course, scope } = await loadReportable(actor, courseId);
      return { course, rows: await coursesRepository.listCourseReport(db, course.id, { scope, organisationId: filter.organisationId }) };
    },
  };
}

export type CourseReportService = ReturnType<typeof createCourseReportService>;
