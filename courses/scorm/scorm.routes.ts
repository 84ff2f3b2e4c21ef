import type { Request, Response } from 'express';
import type { RouteSpec } from '../../server/http/route-table.js';
import type { AppConfig } from '../../server/config/config.js';
import type { ScormImportService, ImportedVersion } from './scorm-import.service.js';
import type { CourseManagementService } from './course-management.service.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { parseOrThrow } from '../../server/http/validate.js';
import { flash } from '../../server/http/shell.js';
import { newCourseFields } from './scorm.schema.js';
import { packageUpload, uploadedPackage } from './package-upload.js';
import { removeUploadedFile } from '../../server/http/file-upload.js';
import { formatBytes } from './scorm.errors.js';

function courseIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('course');
  return parsed.data.id;
}

const STANDARD_LABELS = { scorm12: 'SCORM 1.2', scorm2004: 'SCORM 2004' } as const;

/** The upload page's script asks for JSON (to follow the progress bar with the result); a plain form post gets a redirect. */
function respondImported(req: Request, res: Response, imported: ImportedVersion, message: string): void {
  const location = `/courses/${imported.courseId}/manage`;
  if (req.accepts(['html', 'json']) === 'json') {
    res.status(201).json({ location, versionNumber: imported.versionNumber, warnings: imported.warnings });
    return;
  }
  flash(req, 'success', message);
  for (const warning of imported.warnings) flash(req, 'info', `Package warning: ${warning}`);
  res.redirect(303, location);
}

export function scormRoutes(config: AppConfig, importer: ScormImportService, management: CourseManagementService): RouteSpec[] {
  const maxUpload = formatBytes(config.scorm.maxUploadBytes);
  return [
    {
      method: 'get',
      path: '/courses/manage',
      access: { action: 'course.manage' },
      handler: async (_req, res) => {
        const courses = await management.listCourses();
        res.render('pages/courses/manage-list', {
          title: 'Courses',
          courses: courses.map((c) => ({ ...c, standardLabel: c.currentStandard ? STANDARD_LABELS[c.currentStandard as keyof typeof STANDARD_LABELS] : '—' })),
        });
      },
    },
    {
      method: 'get',
      path: '/courses/new',
      access: { action: 'course.manage' },
      handler: (_req, res) => res.render('pages/courses/manage-new', { title: 'New course', maxUpload, values: {}, errors: {} }),
    },
    {
      method: 'post',
      path: '/courses',
      access: { action: 'course.manage' },
      upload: packageUpload(config, newCourseFields),
      handler: async (req, res) => {
        try {
          const fields = parseOrThrow(newCourseFields, req.body);
          const imported = await importer.createCourseFromPackage(req.actor!, fields, uploadedPackage(req));
          respondImported(req, res, imported, `"${fields.title}" was created from the package (${STANDARD_LABELS[imported.standard]}, ${imported.itemCount} items).`);
        } finally {
          await removeUploadedFile(req);
        }
      },
    },
    {
      method: 'get',
      path: '/courses/:id/manage',
      access: { action: 'course.manage' },
      handler: async (req, res) => {
        const { course, versions } = await management.getCourse(courseIdOf(req));
        res.render('pages/courses/manage-detail', {
          title: course.title,
          course,
          maxUpload,
          versions: versions.map((v) => ({
            ...v,
            standardLabel: `${STANDARD_LABELS[v.standard]}${v.edition ? ` (${v.edition}${v.edition === 2 ? 'nd' : v.edition === 3 ? 'rd' : 'th'} edition)` : ''}`,
            size: formatBytes(v.totalBytes),
            isCurrent: v.id === course.currentVersionId,
          })),
        });
      },
    },
    {
      method: 'post',
      path: '/courses/:id/versions',
      access: { action: 'course.manage' },
      upload: packageUpload(config),
      handler: async (req, res) => {
        try {
          const imported = await importer.addVersion(req.actor!, courseIdOf(req), uploadedPackage(req));
          respondImported(req, res, imported, `Version ${imported.versionNumber} uploaded. New attempts use it; attempts in progress stay on their version.`);
        } finally {
          await removeUploadedFile(req);
        }
      },
    },
  ];
}
