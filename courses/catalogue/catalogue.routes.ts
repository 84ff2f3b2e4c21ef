import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { RouteSpec } from '../../server/http/route-table.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { fieldErrorsOf, parseFields, type FieldErrors } from '../../server/http/validate.js';
import { flash } from '../../server/http/shell.js';
import { paginationModel } from '../../server/http/pagination.js';
import { ROLE_LABELS, PARTNER_ROLES, VENDOR_ROLES } from '../../server/tenancy/actor.js';
import { canPerform } from '../../server/tenancy/policy.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { PARTNER_TYPE_LABELS, REGIONS } from '../../server/organisations/organisations.schema.js';
import type { CatalogueService, LearnerProgress } from './catalogue.service.js';
import { coverHashOf, isCompleted, learnerStateOf } from './catalogue.service.js';
import { coverUpload, uploadedCover } from './cover-upload.js';
import { COVER_MAX_HEIGHT, COVER_MAX_WIDTH, MAX_COVER_BYTES } from './cover-image.js';
import { removeUploadedFile } from '../../server/http/file-upload.js';
import { formatBytes } from '../scorm/scorm.errors.js';
import type { CourseReportService } from './course-report.service.js';
import type { CourseReportRow } from './courses.repository.js';
import type { CourseRow } from './courses.table.js';
import type { PathProgress, PathsService } from '../paths/paths.service.js';
import { pathCardModel } from '../paths/paths.routes.js';
import {
  assignmentForm,
  assignmentParams,
  catalogueQuery,
  coverParams,
  COURSE_STATUS_LABELS,
  COURSE_STATUSES,
  LANGUAGES,
  reportQuery,
  settingsForm,
  type LanguageCode,
} from './catalogue.schema.js';

/* ---------- view-model helpers ---------- */

function courseIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('course');
  return parsed.data.id;
}

const COVER_COLOURS = 8;

/** A generated cover: up to two initials and one of eight colours, both derived from the title (stable across renders). */
export function coverOf(title: string): { initials: string; colour: number } {
  const words = title.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const initials = words.length === 0 ? '?' : words.length === 1 ? words[0]!.slice(0, 2) : words[0]![0]! + words[1]![0]!;
  let hash = 0;
  for (const ch of title) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return { initials: initials.toUpperCase(), colour: hash % COVER_COLOURS };
}

/** The uploaded cover's URL (null without one) next to the generated cover, which stays the fallback. */
function coverModel(course: Pick<CourseRow, 'id' | 'title' | 'coverImageKey'>) {
  const hash = course.coverImageKey ? coverHashOf(course.coverImageKey) : null;
  return { ...coverOf(course.title), imageUrl: hash ? `/courses/${course.id}/cover/${hash}.webp` : null };
}

/** "45 min", "1 h", "1 h 30 min"; null without an estimate. */
export function durationLabel(minutes: number | null): string | null {
  if (minutes === null) return null;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Total time as h:mm ("0:05", "12:40"). */
export function hoursMinutes(seconds: number): string {
  const totalMinutes = Math.floor(Math.max(0, seconds) / 60);
  return `${Math.floor(totalMinutes / 60)}:${String(totalMinutes % 60).padStart(2, '0')}`;
}

/** The scaled score as a percentage; otherwise the raw score (out of its maximum, when the SCO reported one). */
export function scoreLabel(scaled: number | null, raw: number | null = null, max: number | null = null): string | null {
  if (scaled !== null) return `${Math.round(scaled * 100)}%`;
  if (raw === null) return null;
  const r = Number.isInteger(raw) ? String(raw) : raw.toFixed(1);
  return max !== null && max > 0 ? `${r} / ${Number.isInteger(max) ? max : max.toFixed(1)}` : r;
}

const COMPLETION_LABELS = { not_attempted: 'Not started', incomplete: 'In progress', completed: 'Completed', unknown: 'Started' } as const;
const SUCCESS_LABELS = { passed: 'Passed', failed: 'Failed', unknown: null } as const;

/** "Completed · Passed", "In progress", "Not started". */
export function attemptStatusLabel(completion: keyof typeof COMPLETION_LABELS | null, success: keyof typeof SUCCESS_LABELS | null): string {
  if (completion === null) return 'Not started';
  const successLabel = success ? SUCCESS_LABELS[success] : null;
  return successLabel ? `${COMPLETION_LABELS[completion]} · ${successLabel}` : COMPLETION_LABELS[completion];
}

/** The badge colour of a status: failed, completed, not started, or under way. */
function statusBadge(p: { completionStatus: string | null; successStatus: string | null }): string {
  if (p.successStatus === 'failed') return 'badge--danger';
  if (isCompleted(p)) return 'badge--ok';
  return p.completionStatus === null || p.completionStatus === 'not_attempted' ? 'badge--muted' : 'badge--progress';
}

const STATE_VIEW = {
  not_enrolled: { label: 'Not enrolled', badge: 'badge--muted' },
  assigned: { label: 'Assigned to you', badge: 'badge--assigned' },
  enrolled: { label: 'Enrolled', badge: '' },
  in_progress: { label: 'In progress', badge: 'badge--progress' },
  completed: { label: 'Completed', badge: 'badge--ok' },
} as const;

function stateModel(p: LearnerProgress) {
  const key = learnerStateOf(p);
  const score = key === 'completed' || key === 'in_progress' ? scoreLabel(p.scoreScaled) : null;
  const failed = key === 'completed' && p.successStatus === 'failed';
  return { key, label: failed ? 'Completed · Failed' : STATE_VIEW[key].label, badge: failed ? 'badge--danger' : STATE_VIEW[key].badge, score };
}

const languageLabel = (code: string) => LANGUAGES[code as LanguageCode] ?? code;

/** The pager, only when there is more than one page ("3 courses" already says how many). */
function pagerOf(basePath: string, query: Record<string, unknown>, result: { total: number; page: number; pageSize: number }) {
  const pager = paginationModel(basePath, query, result);
  return pager.pageCount > 1 ? pager : null;
}

function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20)).replace(/[\s.,;:!?…-]+$/u, '')}…`;
}

function cardModel(c: LearnerProgress & Pick<CourseRow, 'id' | 'title' | 'description' | 'durationMinutes' | 'tags' | 'language' | 'status' | 'coverImageKey'>) {
  return {
    id: c.id,
    title: c.title,
    excerpt: excerpt(c.description),
    duration: durationLabel(c.durationMinutes),
    language: c.language,
    languageLabel: languageLabel(c.language),
    tags: c.tags,
    cover: coverModel(c),
    state: stateModel(c),
    archived: c.status === 'archived',
    lastAccessedAt: c.lastAccessedAt,
  };
}

/** The one next step on a course page (or in My learning): enrol, start, resume or review. */
function nextAction(course: Pick<CourseRow, 'id' | 'status'>, p: LearnerProgress, preview = false) {
  const state = learnerStateOf(p);
  const play = `/courses/${course.id}/play`;
  if (state === 'completed') return { kind: 'link', label: 'Review', href: play };
  if (state === 'in_progress') return { kind: 'link', label: 'Resume', href: play };
  if (course.status === 'draft' && preview) return { kind: 'link', label: 'Try it in the player', href: play };
  if (course.status !== 'published') return null;
  if (state === 'enrolled') return { kind: 'link', label: 'Start', href: play };
  return { kind: 'enrol', label: 'Enrol', href: `/courses/${course.id}/enrol` };
}

interface OutlineNode {
  title: string;
  chapter: boolean;
  status: string | null;
  statusKey: string | null;
  children: OutlineNode[];
}

/** The flat, document-ordered items as a tree (by parent identifier; an item whose parent is hidden moves up to the root). */
function outlineTree(
  items: { id: string; identifier: string; parentIdentifier: string | null; title: string; launchHref: string | null }[],
  statuses: { itemId: string; completionStatus: string; successStatus: string }[],
): OutlineNode[] {
  const statusOf = new Map(statuses.map((s) => [s.itemId, s]));
  const byIdentifier = new Map<string, OutlineNode>();
  const roots: OutlineNode[] = [];
  for (const item of items) {
    const s = statusOf.get(item.id);
    const done = s ? isCompleted(s) : false;
    const started = s ? s.completionStatus !== 'not_attempted' : false;
    const node: OutlineNode = {
      title: item.title,
      chapter: item.launchHref === null,
      status: item.launchHref === null ? null : done ? 'Completed' : started ? 'In progress' : null,
      statusKey: done ? 'ok' : started ? 'progress' : null,
      children: [],
    };
    byIdentifier.set(item.identifier, node);
    const parent = item.parentIdentifier ? byIdentifier.get(item.parentIdentifier) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** Form values for re-rendering: strings stay strings, repeated checkboxes stay lists. */
function submittedValues(body: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** "Acme Systems", "Partner reps", "Partner reps at Acme Systems". */
function assignmentLabel(a: { organisationName: string | null; role: keyof typeof ROLE_LABELS | null }): string {
  const role = a.role ? `${ROLE_LABELS[a.role]}s` : null;
  if (role && a.organisationName) return `${role} at ${a.organisationName}`;
  return role ? `All ${role.toLowerCase()}` : (a.organisationName ?? 'Everyone');
}

/** The report row as both the page and the CSV show it. */
function reportRowModel(r: CourseReportRow) {
  return {
    name: r.name,
    email: r.email,
    organisationName: r.organisationName,
    status: attemptStatusLabel(r.completionStatus, r.successStatus),
    badge: statusBadge(r),
    completion: r.completionStatus ? COMPLETION_LABELS[r.completionStatus] : 'Not started',
    success: r.successStatus ? (SUCCESS_LABELS[r.successStatus] ?? '') : '',
    score: scoreLabel(r.scoreScaled, r.scoreRaw, r.scoreMax),
    time: hoursMinutes(r.totalSeconds),
    attempts: r.attemptCount,
    lastAccessedAt: r.lastAccessedAt,
    enrolledAt: r.enrolledAt,
    source: r.enrolmentSource === 'assigned' ? 'Assigned' : r.enrolmentSource === 'self' ? 'Self-enrolled' : '',
  };
}

/** "2026-11-25 14:03" in UTC, for the CSV (spreadsheets read it as a date). */
const csvDate = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

/** "golf-explained" from "Golf: Explained!"; ASCII only, so the download name needs no encoding. */
function fileSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'course';
}

/**
 * An expected refusal of a settings-page form (400, 409, 413) is shown on the page; anything else (403, 404,
 * unknown errors) is thrown on to the error handler.
 */
function settingsFormFailureOf(err: unknown) {
  const failure = fieldErrorsOf(err);
  if (!failure || failure.status === 403 || failure.status === 404) throw err;
  return failure;
}

/** After a removal on the settings page: says whether there was anything to remove (a double-submitted form finds nothing), back at its section. */
function redirectAfterRemoval(req: Request, res: Response, courseId: string, section: string, removed: boolean, messages: { removed: string; alreadyGone: string }) {
  flash(req, removed ? 'success' : 'info', removed ? messages.removed : messages.alreadyGone);
  res.redirect(303, `/courses/${courseId}/settings#${section}`);
}

/* ---------- routes ---------- */

/** learningPaths: when given, My learning also lists the caller's assigned learning paths (courses/paths). */
export function catalogueRoutes(catalogue: CatalogueService, reports: CourseReportService, learningPaths?: Pick<PathsService, 'myPaths'>): RouteSpec[] {
  const renderSettings = async (
    req: Request,
    res: Response,
    status: number,
    model: {
      values?: Record<string, string | string[]>;
      errors?: FieldErrors;
      message?: string;
      assignmentValues?: Record<string, string | string[]>;
      assignmentErrors?: FieldErrors;
      assignmentMessage?: string;
      coverMessage?: string;
    },
  ) => {
    const { course, tiers, organisations, assignments } = await catalogue.getSettings(req.actor!, courseIdOf(req));
    const values = model.values ?? {
      title: course.title,
      description: course.description,
      durationMinutes: course.durationMinutes === null ? '' : String(course.durationMinutes),
      tags: course.tags.join(', '),
      language: course.language,
      status: course.status,
      allowNewAttemptAfterCompletion: course.allowNewAttemptAfterCompletion ? 'yes' : '',
      visiblePartnerTypes: course.visiblePartnerTypes,
      visibleTierIds: course.visibleTierIds,
      visibleRegions: course.visibleRegions,
    };
    const checked = (name: string) => new Set(asList(values[name]));
    const assignmentValues = model.assignmentValues ?? {};
    const everyone = !asList(values.visiblePartnerTypes).length && !asList(values.visibleTierIds).length && !asList(values.visibleRegions).length;
    res.status(status).render('pages/catalogue/settings', {
      title: `Settings of ${course.title}`,
      course,
      values,
      errors: model.errors ?? {},
      message: model.message,
      everyone,
      languages: Object.entries(LANGUAGES).map(([value, label]) => ({ value, label, selected: value === values.language })),
      statuses: COURSE_STATUSES.map((s) => ({ value: s, label: COURSE_STATUS_LABELS[s], selected: s === values.status })),
      allowNewAttempt: values.allowNewAttemptAfterCompletion === 'yes' || values.allowNewAttemptAfterCompletion === 'on',
      partnerTypes: PARTNER_TYPES.map((t) => ({ value: t, label: PARTNER_TYPE_LABELS[t], checked: checked('visiblePartnerTypes').has(t) })),
      tiers: tiers.map((t) => ({ value: t.id, label: t.name, checked: checked('visibleTierIds').has(t.id) })),
      regions: REGIONS.map((r) => ({ value: r, label: r, checked: checked('visibleRegions').has(r) })),
      assignments: assignments.map((a) => ({ ...a, label: assignmentLabel(a) })),
      assignmentOrganisations: organisations.map((o) => ({ value: o.id, label: o.name, selected: o.id === assignmentValues.organisationId })),
      assignmentRoles: [
        { group: 'Partner roles', roles: PARTNER_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], selected: r === assignmentValues.role })) },
        { group: 'Vendor roles', roles: VENDOR_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], selected: r === assignmentValues.role })) },
      ],
      assignmentErrors: model.assignmentErrors ?? {},
      assignmentMessage: model.assignmentMessage,
      cover: coverModel(course),
      coverHint: `PNG, JPEG or WebP, up to ${formatBytes(MAX_COVER_BYTES)}. It is shown at up to ${COVER_MAX_WIDTH} × ${COVER_MAX_HEIGHT} pixels; a landscape 16:9 image fills the catalogue card best.`,
      coverMessage: model.coverMessage,
    });
  };
  const uploadCover = coverUpload(catalogue.coverUploadDir);

  return [
    {
      method: 'get',
      path: '/courses',
      access: { action: 'course.take' },
      handler: async (req, res) => {
        const query = catalogueQuery.parse(req.query);
        const result = await catalogue.listCatalogue(req.actor!, query);
        res.render('pages/catalogue/list', {
          title: 'Courses',
          query,
          courses: result.rows.map(cardModel),
          total: result.total,
          pagination: pagerOf('/courses', query, result),
        });
      },
    },
    {
      method: 'get',
      path: '/my/courses',
      access: { action: 'course.take' },
      handler: async (req, res) => {
        const [rows, myPaths] = await Promise.all([catalogue.myLearning(req.actor!), learningPaths ? learningPaths.myPaths(req.actor!) : Promise.resolve<PathProgress[]>([])]);
        const courses = rows.map((c) => ({
          ...cardModel(c),
          source: c.enrolmentSource === 'self' ? 'Self-enrolled' : 'Assigned',
          status: c.attemptNumber === null ? null : attemptStatusLabel(c.completionStatus, c.successStatus),
          badge: c.attemptNumber === null ? cardModel(c).state.badge : statusBadge(c),
          score: scoreLabel(c.scoreScaled),
          action: nextAction(c, c),
        }));
        const count = (key: string) => courses.filter((c) => c.state.key === key).length;
        res.render('pages/catalogue/my-learning', {
          title: 'My learning',
          courses,
          counts: { inProgress: count('in_progress'), completed: count('completed'), notStarted: count('enrolled') + count('assigned') },
          paths: myPaths.map(pathCardModel),
        });
      },
    },
    {
      method: 'get',
      path: '/courses/:id',
      access: { action: 'course.take' },
      handler: async (req, res) => {
        const { course, progress, outline, attempts, itemStatuses, permissions } = await catalogue.getCourse(req.actor!, courseIdOf(req));
        const lessonCount = outline.filter((i) => i.launchHref !== null).length;
        res.render('pages/catalogue/detail', {
          title: course.title,
          course: {
            ...course,
            duration: durationLabel(course.durationMinutes),
            languageLabel: languageLabel(course.language),
            statusLabel: COURSE_STATUS_LABELS[course.status],
            draft: course.status === 'draft',
            archived: course.status === 'archived',
          },
          cover: coverModel(course),
          state: stateModel(progress),
          action: nextAction(course, progress, permissions.mayManage),
          outline: outlineTree(outline, itemStatuses),
          lessonCount,
          attempts: attempts.map((a) => ({
            ...a,
            status: attemptStatusLabel(a.completionStatus, a.successStatus),
            badge: statusBadge(a),
            score: scoreLabel(a.scoreScaled),
            time: hoursMinutes(a.totalTimeSeconds),
          })),
          permissions,
        });
      },
    },
    {
      method: 'post',
      path: '/courses/:id/enrol',
      access: { action: 'course.take' },
      handler: async (req, res) => {
        const { course, created } = await catalogue.enrol(req.actor!, courseIdOf(req));
        flash(req, created ? 'success' : 'info', created ? `You are enrolled in "${course.title}". Start whenever you are ready.` : `You were already enrolled in "${course.title}".`);
        res.redirect(303, `/courses/${course.id}`);
      },
    },
    {
      method: 'get',
      path: '/courses/:id/settings',
      access: { action: 'course.manage' },
      handler: (req, res) => renderSettings(req, res, 200, {}),
    },
    {
      method: 'post',
      path: '/courses/:id/settings',
      access: { action: 'course.manage' },
      handler: async (req, res) => {
        const id = courseIdOf(req);
        const values = submittedValues(req.body);
        const form = parseFields(settingsForm, req.body);
        if (!form.ok) return renderSettings(req, res, 400, { values, errors: form.fields, message: 'The settings were not saved. Please correct the fields marked below.' });
        try {
          const course = await catalogue.updateSettings(req.actor!, id, form.data);
          flash(req, 'success', course.status === 'published' ? 'Settings saved. The course is published in the catalogue.' : `Settings saved. The course is ${course.status}, so learners do not see it in the catalogue.`);
          res.redirect(303, `/courses/${id}/settings`);
        } catch (err) {
          const failure = settingsFormFailureOf(err);
          await renderSettings(req, res, failure.status, { values, errors: failure.fields, message: failure.message });
        }
      },
    },
    {
      method: 'post',
      path: '/courses/:id/cover',
      access: { action: 'course.manage' },
      upload: uploadCover,
      handler: async (req, res) => {
        const id = courseIdOf(req);
        // The settings page's script sends the form itself (the CSRF token travels in a header) and asks for JSON.
        const wantsJson = req.accepts(['html', 'json']) === 'json';
        try {
          const { course } = await catalogue.setCover(req.actor!, id, uploadedCover(req));
          flash(req, 'success', `The cover of "${course.title}" is updated. The catalogue shows it now.`);
          // The script navigates from this very page: a location differing only by its #fragment would scroll, not reload.
          if (wantsJson) res.json({ location: `/courses/${id}/settings` });
          else res.redirect(303, `/courses/${id}/settings#cover-heading`);
        } catch (err) {
          if (wantsJson) throw err;
          const failure = settingsFormFailureOf(err);
          await renderSettings(req, res, failure.status, { coverMessage: failure.message });
        } finally {
          await removeUploadedFile(req);
        }
      },
    },
    {
      method: 'post',
      path: '/courses/:id/cover/delete',
      access: { action: 'course.manage' },
      handler: async (req, res) => {
        const { course, removed } = await catalogue.removeCover(req.actor!, courseIdOf(req));
        redirectAfterRemoval(req, res, course.id, 'cover-heading', removed, {
          removed: 'Cover removed. The catalogue shows the generated initials cover again.',
          alreadyGone: 'The course had no cover image to remove.',
        });
      },
    },
    {
      method: 'get',
      path: '/courses/:id/cover/:hash.webp',
      access: { action: 'course.take' },
      handler: async (req, res) => {
        const params = coverParams.safeParse(req.params);
        if (!params.success) throw httpErrors.notFound('course');
        const image = await catalogue.getCoverImage(req.actor!, params.data.id, params.data.hash);
        // Our own re-encoded WebP, so safe to serve from the app origin; the hash in the URL changes with the image.
        res.setHeader('Content-Type', 'image/webp');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
        res.setHeader('Content-Length', String(image.size));
        try {
          await pipeline(image.body, res);
        } catch (err) {
          // A page closed while its images load is normal; anything else is a storage failure mid-stream.
          if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
        }
      },
    },
    {
      method: 'post',
      path: '/courses/:id/assignments',
      access: { action: 'course.manage' },
      handler: async (req, res) => {
        const id = courseIdOf(req);
        const assignmentValues = submittedValues(req.body);
        const form = parseFields(assignmentForm, req.body);
        if (!form.ok) return renderSettings(req, res, 400, { assignmentValues, assignmentErrors: form.fields, assignmentMessage: 'The assignment was not added.' });
        try {
          await catalogue.addAssignment(req.actor!, id, form.data);
          flash(req, 'success', 'Assignment added. The course now appears in My learning for the people it reaches.');
          res.redirect(303, `/courses/${id}/settings#assignments-heading`);
        } catch (err) {
          const failure = settingsFormFailureOf(err);
          await renderSettings(req, res, failure.status, { assignmentValues, assignmentErrors: failure.fields, assignmentMessage: failure.message });
        }
      },
    },
    {
      method: 'post',
      path: '/courses/:id/assignments/:assignmentId/delete',
      access: { action: 'course.manage' },
      handler: async (req, res) => {
        const params = assignmentParams.safeParse(req.params);
        if (!params.success) throw httpErrors.notFound('assignment');
        const { course, removed } = await catalogue.removeAssignment(req.actor!, params.data.id, params.data.assignmentId);
        redirectAfterRemoval(req, res, course.id, 'assignments-heading', removed, {
          removed: 'Assignment removed. People already enrolled stay enrolled.',
          alreadyGone: 'That assignment had already been removed.',
        });
      },
    },
    {
      method: 'get',
      path: '/courses/:id/report',
      access: { action: 'course.report' },
      handler: async (req, res) => {
        const id = courseIdOf(req);
        const query = reportQuery.parse(req.query);
        const report = await reports.getReport(req.actor!, id, query);
        const csvQuery = query.organisationId ? `?organisationId=${encodeURIComponent(query.organisationId)}` : '';
        res.render('pages/catalogue/report', {
          title: `Report: ${report.course.title}`,
          course: report.course,
          rows: report.rows.map(reportRowModel),
          summary: {
            learners: report.summary.learners,
            completed: report.summary.completed,
            passed: report.summary.passed,
            averageScore: scoreLabel(report.summary.averageScaledScore),
          },
          organisations: report.organisations?.map((o) => ({ value: o.id, label: o.name, selected: o.id === query.organisationId })) ?? null,
          ownOrganisationOnly: report.scope.kind === 'organisation' ? req.actor!.organisationName : null,
          csvHref: `/courses/${id}/report.csv${csvQuery}`,
          mayManage: canPerform(req.actor!, 'course.manage'),
          pagination: pagerOf(`/courses/${id}/report`, query, report),
        });
      },
    },
    {
      method: 'get',
      path: '/courses/:id/report.csv',
      access: { action: 'course.report' },
      handler: async (req, res) => {
        const query = reportQuery.parse(req.query);
        const { course, rows } = await reports.exportReport(req.actor!, courseIdOf(req), query);
        // escape_formulas: a cell starting with = + - @ (or tab, CR) gets a leading ' so spreadsheets show it instead of running it.
        const csv = stringify(
          rows.map(reportRowModel).map((r) => [r.name, r.email, r.organisationName, r.completion, r.success, r.score ?? '', r.time, String(r.attempts), csvDate(r.lastAccessedAt), csvDate(r.enrolledAt), r.source]),
          {
            header: true,
            columns: ['Learner', 'Email', 'Organisation', 'Completion', 'Success', 'Score', 'Total time (h:mm)', 'Attempts', 'Last access (UTC)', 'Enrolled (UTC)', 'Enrolment'],
            escape_formulas: true,
            bom: true,
            record_delimiter: 'windows',
          },
        );
        res.setHeader('Cache-Control', 'no-store');
        res.attachment(`${fileSlug(course.title)}-report-${new Date().toISOString().slice(0, 10)}.csv`);
        res.type('text/csv; charset=utf-8').send(csv);
      },
    },
  ];
}
