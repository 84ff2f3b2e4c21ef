import type { AppDeps } from '../../server/app-deps.js';
import { httpErrors } from '../../server/http/http.errors.js';
import * as coursesRepository from '../catalogue/courses.repository.js';
import * as scormRepository from './scorm.repository.js';

/** What the enablement team sees of courses: the list, and each course's package versions with learners on them. */
export function createCourseManagementService(deps: Pick<AppDeps, 'database'>) {
  const { db } = deps.database;
  return {
    listCourses: () => coursesRepository.listCoursesForManagement(db),
    async getCourse(courseId: string) {
      const course = await coursesRepository.findCourse(db, courseId);
      if (!course) throw httpErrors.notFound('course');
      return { course, versions: await scormRepository.listVersionsWithLearners(db, courseId) };
    },
  };
}

export type CourseManagementService = ReturnType<typeof createCourseManagementService>;
