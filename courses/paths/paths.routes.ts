import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { z } from 'zod';
import type { RouteSpec } from '../../server/http/route-table.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { fieldErrorsOf, parseFields, type FieldErrors } from '../../server/http/validate.js';
import { flash } from '../../server/http/shell.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { PARTNER_ROLES, ROLE_LABELS, VENDOR_ROLES } from '../../server/tenancy/actor.js';
import { canPerform } from '../../server/tenancy/policy.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { PARTNER_TYPE_LABELS, REGIONS } from '../../server/organisations/organisations.schema.js';
import type { UserRole } from '../../server/users/users.table.js';
import { fileSlug } from '../../assets/library/library.service.js';
import { submittedValues } from '../../assets/library/library.view.js';
import type { PathProgress, PathsService, PathState, StepProgress } from './paths.service.js';
import type { LearningPathRuleRow } from './paths.table.js';
import { moveForm, PATH_STATUS_LABELS, PATH_STATUSES, pathForm, prerequisiteForm, reportQuery, ruleForm, ruleParams, stepForm, stepParams } from './paths.schema.js';

/* ---------- view-model helpers ---------- */

function pathIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('learning path');
  return parsed.data.id;
}

const STATE_VIEW: Readonly<Record<PathState, { label: string; badge: string }>> = {
  not_started: { label: 'Not started', badge: 'badge--muted' },
  in_progress: { label: 'In progress', badge: 'badge--progress' },
  completed: { label: 'Completed', badge: 'badge--ok' },
};

const BAR_WIDTH = 160;
const BAR_HEIGHT = 8;

/** Completed steps as a small bar (drawn with SVG attributes: our CSP allows no inline styles), beside the same numbers in text. */
function progressBar(completed: number, total: number) {
  const width = total === 0 ? 0 : Math.round((BAR_WIDTH * completed) / total);
  return { width: BAR_WIDTH, height: BAR_HEIGHT, segments: width > 0 ? [{ x: 0, width, fill: '#1f7a4d' }] : [] };
}

/** "Completed", "Overdue", "In progress"...: overdue outranks the progress state while the path is unfinished. */
function stateModel(p: { state: PathState; overdue: boolean }) {
  return p.overdue ? { label: 'Overdue', badge: 'badge--danger' } : STATE_VIEW[p.state];
}

function stepModel(step: StepProgress) {
  const title = (step.kind === 'course' ? step.courseTitle : step.assetTitle) ?? 'Removed item';
  const href = step.kind === 'course' ? `/courses/${step.courseId}` : `/library/assets/${step.assetId}`;
  const status = step.done
    ? { label: step.kind === 'course' ? 'Completed' : 'Read', badge: 'badge--ok' }
    : step.locked
      ? { label: 'Locked', badge: 'badge--muted' }
      : step.started
        ? { label: 'In progress', badge: 'badge--progress' }
        : { label: 'Not started', badge: 'badge--muted' };
  return {
    id: step.id,
    title,
    kindLabel: step.kind === 'course' ? 'Course' : 'Reading',
    actionLabel: step.kind === 'course' ? 'Open' : 'Read',
    href: step.locked ? null : href,
    locked: step.locked,
    requiresPrevious: step.requiresPrevious,
    status,
  };
}

/** A path as a learner's card or page sees it: progress, due date, state. */
export function pathCardModel(p: PathProgress) {
  return {
    id: p.path.id,
    title: p.path.title,
    description: p.path.description,
    completedSteps: p.completedSteps,
    totalSteps: p.totalSteps,
    percent: p.totalSteps === 0 ? 0 : Math.round((100 * p.completedSteps) / p.totalSteps),
    bar: progressBar(p.completedSteps, p.totalSteps),
    dueAt: p.enrolment?.dueAt ?? null,
    overdue: p.overdue,
    complete: p.complete,
    state: stateModel(p),
    /** Assigned to renew a certification: only what is done since the window opened counts. */
    recertification: p.enrolment?.source === 'recertification',
    countsFrom: p.enrolment?.progressFrom ?? null,
  };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);


/** "Partner types: Reseller · Tiers: Gold · Roles: Partner rep". */
function ruleLabel(rule: LearningPathRuleRow, names: { tiers: Map<string, string>; organisations: Map<string, string> }): string {
  const parts: [string, string[]][] = [
    ['Partner types', rule.partnerTypes.map((t) => PARTNER_TYPE_LABELS[t])],
    ['Tiers', rule.tierIds.map((id) => names.tiers.get(id) ?? 'a removed tier')],
    ['Regions', rule.regions],
    ['Organisations', rule.organisationIds.map((id) => names.organisations.get(id) ?? 'a removed organisation')],
    ['Roles', rule.roles.map((r) => ROLE_LABELS[r])],
  ];
  return parts
    .filter(([, values]) => values.length > 0)
    .map(([label, values]) => `${label}: ${values.join(', ')}`)
    .join(' · ');
}

/** An expected refusal of an editor form (400, 409) is shown on the page; anything else goes on to the error handler. */
function editorFailureOf(err: unknown) {
  const failure = fieldErrorsOf(err);
  if (!failure || failure.status === 403 || failure.status === 404) throw err;
  return failure;
}

/** "2026-11-25 14:03" in UTC, for the CSV (spreadsheets read it as a date). */
const csvDate = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

type EditorSection = 'details' | 'steps' | 'rules';

/* ---------- routes ---------- */

/**
 * Learning paths: the enablement team's list and editor (details, steps, rules), the report, and the learner's
 * own paths. The path pages of other modules (My learning) get their cards through pathCardModel.
 */
export function pathsRoutes(paths: PathsService): RouteSpec[] {
  const renderEditor = async (
    req: Request,
    res: Response,
    status: number,
    model: { section?: EditorSection; values?: Record<string, string | string[]>; errors?: FieldErrors; message?: string } = {},
  ) => {
    const { path, steps, rules, candidates, tiers, organisations } = await paths.getEditor(req.actor!, pathIdOf(req));
    const section = model.section;
    const valuesFor = (s: EditorSection) => (section === s ? (model.values ?? {}) : {});
    const errorsFor = (s: EditorSection) => (section === s ? (model.errors ?? {}) : {});
    const details =
      section === 'details' && model.values
        ? model.values
        : { title: path.title, description: path.description, status: path.status, dueDays: path.dueDays === null ? '' : String(path.dueDays) };
    const ruleValues = valuesFor('rules');
    const ticked = (name: string) => new Set(asList(ruleValues[name]));
    const names = { tiers: new Map(tiers.map((t) => [t.id, t.name])), organisations: new Map(organisations.map((o) => [o.id, o.name])) };
    const stepTargets = new Set(steps.map((s) => (s.kind === 'course' ? `course:${s.courseId}` : `asset:${s.assetId}`)));
    const chosenTarget = valuesFor('steps').target;
    const option = (kind: 'course' | 'asset') => (c: { id: string; title: string }) => ({ value: `${kind}:${c.id}`, label: c.title, selected: `${kind}:${c.id}` === chosenTarget });
    res.status(status).render('pages/paths/edit', {
      title: `Edit ${path.title}`,
      path: { ...path, statusLabel: PATH_STATUS_LABELS[path.status] },
      details,
      detailsErrors: errorsFor('details'),
      statuses: PATH_STATUSES.map((s) => ({ value: s, label: PATH_STATUS_LABELS[s], selected: s === details.status })),
      steps: steps.map((s, i) => ({ ...stepModel({ ...s, done: false, started: false, locked: false }), first: i === 0, last: i === steps.length - 1, number: i + 1 })),
      stepErrors: errorsFor('steps'),
      stepRequiresPrevious: valuesFor('steps').requiresPrevious !== undefined,
      courseOptions: candidates.courses.filter((c) => !stepTargets.has(`course:${c.id}`)).map(option('course')),
      assetOptions: candidates.assets.filter((a) => !stepTargets.has(`asset:${a.id}`)).map(option('asset')),
      rules: rules.map((r) => ({ id: r.id, label: ruleLabel(r, names), createdAt: r.createdAt })),
      ruleErrors: errorsFor('rules'),
      partnerTypes: PARTNER_TYPES.map((t) => ({ value: t, label: PARTNER_TYPE_LABELS[t], checked: ticked('partnerTypes').has(t) })),
      tiers: tiers.map((t) => ({ value: t.id, label: t.name, checked: ticked('tierIds').has(t.id) })),
      regions: REGIONS.map((r) => ({ value: r, label: r, checked: ticked('regions').has(r) })),
      organisations: organisations.filter((o) => o.kind === 'partner').map((o) => ({ value: o.id, label: o.name, checked: ticked('organisationIds').has(o.id) })),
      roles: [...PARTNER_ROLES, ...VENDOR_ROLES].map((r: UserRole) => ({ value: r, label: ROLE_LABELS[r], checked: ticked('roles').has(r) })),
      message: model.message,
      messageSection: section,
    });
  };

  /** Runs an editor change: success flashes and returns to its section; an expected refusal re-renders the editor with the form's errors. */
  const editorAction =
    <S extends z.ZodType>(section: EditorSection, schema: S, run: (req: Request, data: z.output<S>) => Promise<string>) =>
    async (req: Request, res: Response) => {
      const id = pathIdOf(req);
      const values = submittedValues(req.body);
      const form = parseFields(schema, req.body);
      if (!form.ok) return renderEditor(req, res, 400, { section, values, errors: form.fields, message: 'Nothing was saved. Please correct the fields marked below.' });
      try {
        flash(req, 'success', await run(req, form.data));
        res.redirect(303, `/paths/${id}/edit#${section}-heading`);
      } catch (err) {
        const failure = editorFailureOf(err);
        await renderEditor(req, res, failure.status, { section, values, errors: failure.fields, message: failure.message });
      }
    };

  /** A change to one step: its params, then the service; a step already gone says so instead of failing. */
  const stepChange = (run: (actor: Actor, pathId: string, stepId: string, body: unknown) => Promise<{ changed: boolean; message: string }>) => async (req: Request, res: Response) => {
    const params = stepParams.safeParse(req.params);
    if (!params.success) throw httpErrors.notFound('step');
    const { changed, message } = await run(req.actor!, params.data.id, params.data.stepId, req.body);
    flash(req, changed ? 'success' : 'info', changed ? message : 'Nothing changed: that step was already there, or is gone.');
    res.redirect(303, `/paths/${params.data.id}/edit#steps-heading`);
  };

  const renderNew = (res: Response, status: number, values: Record<string, string | string[]>, errors: FieldErrors = {}, message?: string) =>
    res.status(status).render('pages/paths/new', {
      title: 'New learning path',
      values,
      errors,
      message,
      statuses: PATH_STATUSES.filter((s) => s !== 'published').map((s) => ({ value: s, label: PATH_STATUS_LABELS[s], selected: s === (values.status ?? 'draft') })),
    });

  return [
    {
      method: 'get',
      path: '/paths',
      access: { action: 'path.view' },
      handler: async (req, res) => {
        const [mine, reportable] = await Promise.all([paths.myPaths(req.actor!), paths.reportablePaths(req.actor!)]);
        const cards = mine.map(pathCardModel);
        res.render('pages/paths/list', {
          title: 'Learning paths',
          paths: cards,
          counts: { overdue: cards.filter((c) => c.overdue).length, completed: cards.filter((c) => c.complete).length, open: cards.filter((c) => !c.complete).length },
          reportable,
          mayManage: canPerform(req.actor!, 'path.manage'),
        });
      },
    },
    {
      method: 'get',
      path: '/paths/manage',
      access: { action: 'path.manage' },
      handler: async (req, res) => {
        const rows = await paths.listForManagement(req.actor!);
        res.render('pages/paths/manage', {
          title: 'Manage learning paths',
          paths: rows.map((p) => ({ ...p, statusLabel: PATH_STATUS_LABELS[p.status], published: p.status === 'published' })),
        });
      },
    },
    {
      method: 'get',
      path: '/paths/new',
      access: { action: 'path.manage' },
      handler: (_req, res) => renderNew(res, 200, { status: 'draft' }),
    },
    {
      method: 'post',
      path: '/paths',
      access: { action: 'path.manage' },
      handler: async (req, res) => {
        const values = submittedValues(req.body);
        const form = parseFields(pathForm, req.body);
        if (!form.ok) return renderNew(res, 400, values, form.fields, 'The path was not created. Please correct the fields marked below.');
        try {
          const path = await paths.createPath(req.actor!, form.data);
          flash(req, 'success', `"${path.title}" created. Add its steps and say who it is for.`);
          res.redirect(303, `/paths/${path.id}/edit`);
        } catch (err) {
          const failure = editorFailureOf(err);
          renderNew(res, failure.status, values, failure.fields, failure.message);
        }
      },
    },
    {
      method: 'get',
      path: '/paths/:id',
      access: { action: 'path.view' },
      handler: async (req, res) => {
        const progress = await paths.getPathForLearner(req.actor!, pathIdOf(req));
        const steps = progress.steps.map((s, i) => ({ ...stepModel(s), number: i + 1 }));
        res.render('pages/paths/detail', {
          title: progress.path.title,
          path: pathCardModel(progress),
          preview: progress.preview,
          steps,
          hasLockedSteps: steps.some((s) => s.locked),
          mayManage: canPerform(req.actor!, 'path.manage'),
          mayReport: canPerform(req.actor!, 'path.manage') && canPerform(req.actor!, 'course.report'),
        });
      },
    },
    {
      method: 'get',
      path: '/paths/:id/edit',
      access: { action: 'path.manage' },
      handler: (req, res) => renderEditor(req, res, 200),
    },
    {
      method: 'post',
      path: '/paths/:id',
      access: { action: 'path.manage' },
      handler: editorAction('details', pathForm, async (req, data) => {
        const path = await paths.updatePath(req.actor!, pathIdOf(req), data);
        return `"${path.title}" saved.`;
      }),
    },
    {
      method: 'post',
      path: '/paths/:id/steps',
      access: { action: 'path.manage' },
      handler: editorAction('steps', stepForm, async (req, data) => {
        await paths.addStep(req.actor!, pathIdOf(req), data);
        return 'Step added at the end of the path.';
      }),
    },
    {
      method: 'post',
      path: '/paths/:id/steps/:stepId/move',
      access: { action: 'path.manage' },
      handler: stepChange(async (actor, pathId, stepId, body) => {
        const direction = moveForm.safeParse(body);
        if (!direction.success) throw httpErrors.invalidInput({ direction: 'choose up or down' });
        const { moved } = await paths.moveStep(actor, pathId, stepId, direction.data.direction);
        return { changed: moved, message: `Step moved ${direction.data.direction}.` };
      }),
    },
    {
      method: 'post',
      path: '/paths/:id/steps/:stepId/prerequisite',
      access: { action: 'path.manage' },
      handler: stepChange(async (actor, pathId, stepId, body) => {
        const { requiresPrevious } = prerequisiteForm.parse(body ?? {});
        const { changed } = await paths.setPrerequisite(actor, pathId, stepId, requiresPrevious);
        return { changed, message: requiresPrevious ? 'The step now opens once every earlier step is complete.' : 'The step is now open from the start.' };
      }),
    },
    {
      method: 'post',
      path: '/paths/:id/steps/:stepId/delete',
      access: { action: 'path.manage' },
      handler: stepChange(async (actor, pathId, stepId) => {
        const { removed } = await paths.removeStep(actor, pathId, stepId);
        return { changed: removed, message: 'Step removed. Learners keep their course progress.' };
      }),
    },
    {
      method: 'post',
      path: '/paths/:id/rules',
      access: { action: 'path.manage' },
      handler: editorAction('rules', ruleForm, async (req, data) => {
        await paths.addRule(req.actor!, pathIdOf(req), data);
        return 'Rule added. Everyone it reaches has the path now, and so will people who match later.';
      }),
    },
    {
      method: 'post',
      path: '/paths/:id/rules/:ruleId/delete',
      access: { action: 'path.manage' },
      handler: async (req, res) => {
        const params = ruleParams.safeParse(req.params);
        if (!params.success) throw httpErrors.notFound('rule');
        const { removed } = await paths.removeRule(req.actor!, params.data.id, params.data.ruleId);
        flash(req, removed ? 'success' : 'info', removed ? 'Rule removed. People no other rule reaches no longer have the path; their progress is kept.' : 'That rule had already been removed.');
        res.redirect(303, `/paths/${params.data.id}/edit#rules-heading`);
      },
    },
    {
      method: 'get',
      path: '/paths/:id/report',
      access: { action: 'course.report' },
      handler: async (req, res) => {
        const id = pathIdOf(req);
        const query = reportQuery.parse(req.query);
        const report = await paths.getReport(req.actor!, id, query);
        const csvQuery = query.organisationId ? `?organisationId=${encodeURIComponent(query.organisationId)}` : '';
        res.render('pages/paths/report', {
          title: `Report: ${report.path.title}`,
          path: report.path,
          rows: report.rows.map((r) => ({ ...r, stateView: r.assigned ? stateModel(r) : { label: 'No longer assigned', badge: 'badge--muted' }, bar: progressBar(r.completedSteps, r.totalSteps) })),
          summary: report.summary,
          organisations: report.organisations?.map((o) => ({ value: o.id, label: o.name, selected: o.id === query.organisationId })) ?? null,
          ownOrganisationOnly: report.scope.kind === 'organisation' ? req.actor!.organisationName : null,
          csvHref: `/paths/${id}/report.csv${csvQuery}`,
          mayManage: canPerform(req.actor!, 'path.manage'),
        });
      },
    },
    {
      method: 'get',
      path: '/paths/:id/report.csv',
      access: { action: 'course.report' },
      handler: async (req, res) => {
        const query = reportQuery.parse(req.query);
        const report = await paths.getReport(req.actor!, pathIdOf(req), query);
        const csv = stringify(
          report.rows.map((r) => [
            r.name,
            r.email,
            r.organisationName,
            r.assigned ? 'Assigned' : 'No longer assigned',
            r.assigned ? stateModel(r).label : STATE_VIEW[r.state].label,
            String(r.completedSteps),
            String(r.totalSteps),
            csvDate(r.assignedAt),
            csvDate(r.dueAt),
            r.overdue && r.assigned ? 'yes' : 'no',
            csvDate(r.completedAt),
          ]),
          {
            header: true,
            columns: ['Learner', 'Email', 'Organisation', 'Assignment', 'Status', 'Steps completed', 'Steps', 'Assigned (UTC)', 'Due (UTC)', 'Overdue', 'Completed (UTC)'],
            escape_formulas: true,
            bom: true,
            record_delimiter: 'windows',
          },
        );
        res.setHeader('Cache-Control', 'no-store');
        res.attachment(`${fileSlug(report.path.title)}-path-report-${new Date().toISOString().slice(0, 10)}.csv`);
        res.type('text/csv; charset=utf-8').send(csv);
      },
    },
  ];
}
