import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { courses, type CourseRow, type NewCourseRow } from './courses.table.js';
import { courseVersions } from '../scorm/scorm.table.js';

export async function insertCourse(db: Executor, values: NewCourseRow): Promise<CourseRow> {
  const rows = await db.insert(courses).values(values).returning();
  return rows[0]!;
}

export async function findCourse(db: Executor, id: string): Promise<CourseRow | null> {
  const rows = await db.select().from(courses).where(eq(courses.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function updateCourse(db: Executor, id: string, values: Partial<NewCourseRow>): Promise<CourseRow | null> {
  const rows = await db
    .update(courses)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(courses.id, id))
    .returning();
  return rows[0] ?? null;
}

/** Every course with its current version's standard and how many versions it has, for the enablement list. */
export async function listCoursesForManagement(db: Executor) {
  return db
    .select({
      id: courses.id,
      title: courses.title,
      status: courses.status,
      updatedAt: courses.updatedAt,
      versionCount: sql<number>`(select count(*) from ${courseVersions} cv where cv.course_id = ${courses}.id)::int`,
      currentStandard: sql<string | null>`(select cv.standard from ${courseVersions} cv where cv.id = ${courses}.current_version_id)`,
    })
    .from(courses)
    .orderBy(asc(courses.title));
}
