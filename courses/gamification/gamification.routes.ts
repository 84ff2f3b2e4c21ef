import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { RouteSpec } from '../../server/http/route-table.js';
import { parseFields, fieldErrorsOf, type FieldErrors } from '../../server/http/validate.js';
import { flash } from '../../server/http/shell.js';
import { canPerform } from '../../server/tenancy/policy.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { PARTNER_TYPE_LABELS, REGIONS } from '../../server/organisations/organisations.schema.js';
import { submittedValues } from '../../assets/library/library.view.js';
import type { GamificationService, Leaderboard } from './gamification.service.js';
import { seasonDays } from './gamification.service.js';
import { BADGE_CRITERIA } from './gamification.table.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { badgeForm, boardQuery, deleteForm, CRITERION_LABELS, OUTCOME_LABELS, privacyForm, rulesForm, seasonForm, type BoardQuery } from './gamification.schema.js';

/* ---------- view-model helpers ---------- */

/** "12.5" points per head: one decimal at most. */
const perHeadLabel = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** The query string of a board link, keeping the other choices. */
function boardHref(query: BoardQuery, change: Partial<Record<keyof BoardQuery, string>>): string {
  const params = new URLSearchParams();
  const merged: Record<string, string | undefined> = { ...query, ...change };
  for (const key of ['board', 'period', 'region', 'partnerType', 'tierId']) if (merged[key]) params.set(key, merged[key]!);
  return `/leaderboards?${params.toString()}`;
}

function leaderboardModel(query: BoardQuery, board: Leaderboard, viewer: { userId: string; organisationId: string }) {
  const periods = [
    { value: 'month', label: 'This month' },
    { value: 'quarter', label: 'This quarter' },
    { value: 'all', label: 'All time' },
    ...board.seasons.map((s) => {
      const { firstDay, lastDay } = seasonDays(s);
      return { value: `season:${s.id}`, label: `${s.name} (${firstDay} to ${lastDay})` };
    }),
  ].map((p) => ({ ...p, selected: p.value === board.period.value }));
  const people = board.board === 'people';
  return {
    title: 'Leaderboards',
    query,
    periodLabel: board.period.label,
    tabs: [
      { label: 'People', href: boardHref(query, { board: 'people' }), current: people },
      { label: 'Organisations', href: boardHref(query, { board: 'organisations' }), current: !people },
    ],
    people,
    periods,
    regions: REGIONS.map((r) => ({ value: r, label: r, selected: r === query.region })),
    partnerTypes: PARTNER_TYPES.map((t) => ({ value: t, label: PARTNER_TYPE_LABELS[t], selected: t === query.partnerType })),
    tiers: board.tiers.map((t) => ({ value: t.id, label: t.name, selected: t.id === query.tierId })),
    filtered: Boolean(query.region || query.partnerType || query.tierId),
    clearHref: boardHref({ board: query.board, period: query.period }, {}),
    personRows: board.people.map((p) => ({ ...p, isMe: p.userId === viewer.userId })),
    me: board.me,
    meOutsideTop: board.me !== null && !board.me.inTop,
    organisationRows: board.organisations.map((o) => ({ ...o, perHead: perHeadLabel(o.pointsPerHead), isMine: o.organisationId === viewer.organisationId })),
    myOrganisation: board.myOrganisation ? { ...board.myOrganisation, perHead: perHeadLabel(board.myOrganisation.pointsPerHead) } : null,
    myOrganisationOutsideTop: board.myOrganisation !== null && !board.organisations.some((o) => o.organisationId === board.myOrganisation!.organisationId),
    hidden: board.hidden,
    myPoints: { total: board.myPoints.total, recent: board.myPoints.recent.map((r) => ({ ...r, label: OUTCOME_LABELS[r.kind] })) },
    myBadges: board.myBadges,
    returnTo: boardHref(query, {}),
  };
}

/* ---------- routes ---------- */

/** Leaderboards (everyone), the privacy toggle, and the enablement team's point rules, seasons and badges. */
export function gamificationRoutes(gamification: GamificationService): RouteSpec[] {
  const renderManage = async (req: Request, res: Response, status: number, form: { section?: string; values?: Record<string, string | string[]>; errors?: FieldErrors; message?: string } = {}) => {
    const [rules, seasons, badges] = [await gamification.pointRules(), await gamification.seasons(), await gamification.badges()];
    const valuesFor = (s: string) => (form.section === s ? (form.values ?? {}) : {});
    const errorsFor = (s: string) => (form.section === s ? (form.errors ?? {}) : {});
    const ruleValues = valuesFor('rules');
    const badgeValues = valuesFor('badges');
    res.status(status).render('pages/gamification/manage', {
      title: 'Points, seasons and badges',
      rules: rules.map((r) => ({ ...r, label: OUTCOME_LABELS[r.kind], value: ruleValues[r.kind] ?? String(r.points) })),
      ruleErrors: errorsFor('rules'),
      seasons: seasons.map((s) => ({ ...s, ...seasonDays(s) })),
      seasonValues: valuesFor('seasons'),
      seasonErrors: errorsFor('seasons'),
      badges: badges.map((b) => ({ ...b, criterionLabel: CRITERION_LABELS[b.criterion] })),
      badgeValues,
      badgeErrors: errorsFor('badges'),
      criteria: BADGE_CRITERIA.map((c) => ({ value: c, label: CRITERION_LABELS[c], selected: c === badgeValues.criterion })),
      message: form.message,
      messageSection: form.section,
    });
  };

  /** A settings form (gamification.manage): success flashes and returns to its section; a refusal re-renders the page with the form's errors. */
  const settingsRoute = <S extends z.ZodType>(path: string, section: string, schema: S, run: (req: Request, data: z.output<S>) => Promise<string>): RouteSpec => ({
    method: 'post',
    path,
    access: { action: 'gamification.manage' },
    handler: async (req, res) => {
      const form = parseFields(schema, req.body);
      if (!form.ok) return renderManage(req, res, 400, { section, values: submittedValues(req.body), errors: form.fields, message: 'Nothing was saved. Please correct the fields marked below.' });
      try {
        flash(req, 'success', await run(req, form.data));
        res.redirect(303, `/leaderboards/manage#${section}-heading`);
      } catch (err) {
        const failure = fieldErrorsOf(err);
        if (!failure || failure.status === 403 || failure.status === 404) throw err;
        await renderManage(req, res, failure.status, { section, values: submittedValues(req.body), errors: failure.fields, message: failure.message });
      }
    },
  });

  /** The season or badge edit page: its edit form, and its delete form with a confirmation box. */
  const renderEdit = async (
    res: Response,
    kind: 'season' | 'badge',
    id: string,
    status: number,
    form: { section?: 'edit' | 'delete'; values?: Record<string, string | string[]>; errors?: FieldErrors; message?: string } = {},
  ) => {
    const editValues = form.section === 'edit' ? (form.values ?? {}) : {};
    const editErrors = form.section === 'edit' ? (form.errors ?? {}) : {};
    const deleteErrors = form.section === 'delete' ? (form.errors ?? {}) : {};
    if (kind === 'season') {
      const season = await gamification.season(id);
      const days = seasonDays(season);
      return res.status(status).render('pages/gamification/edit-season', {
        title: `Edit season ${season.name}`,
        season,
        values: { name: season.name, startsOn: days.firstDay, endsOn: days.lastDay, ...editValues },
        errors: editErrors,
        deleteErrors,
        message: form.message,
        messageSection: form.section,
      });
    }
    const badge = await gamification.badge(id);
    const values = { name: badge.name, description: badge.description, criterion: badge.criterion, threshold: String(badge.threshold), ...editValues };
    return res.status(status).render('pages/gamification/edit-badge', {
      title: `Edit badge ${badge.name}`,
      badge,
      values,
      errors: editErrors,
      deleteErrors,
      criteria: BADGE_CRITERIA.map((c) => ({ value: c, label: CRITERION_LABELS[c], selected: c === values.criterion })),
      message: form.message,
      messageSection: form.section,
    });
  };

  const idOf = (req: Request, what: string) => {
    const params = idParam.safeParse(req.params);
    if (!params.success) throw httpErrors.notFound(what);
    return params.data.id;
  };

  /** An edit or delete form of one season or badge: success flashes and returns to the manage page; a refusal re-renders the edit page. */
  const itemRoute = <S extends z.ZodType>(
    path: string,
    kind: 'season' | 'badge',
    section: 'edit' | 'delete',
    schema: S,
    run: (id: string, data: z.output<S>) => Promise<string>,
  ): RouteSpec => ({
    method: 'post',
    path,
    access: { action: 'gamification.manage' },
    handler: async (req, res) => {
      const id = idOf(req, kind);
      const form = parseFields(schema, req.body);
      const nothing = section === 'edit' ? 'Nothing was saved. Please correct the fields marked below.' : `The ${kind} was not deleted. Tick the box to confirm.`;
      if (!form.ok) return renderEdit(res, kind, id, 400, { section, values: submittedValues(req.body), errors: form.fields, message: nothing });
      try {
        flash(req, 'success', await run(id, form.data));
        res.redirect(303, `/leaderboards/manage#${kind}s-heading`);
      } catch (err) {
        const failure = fieldErrorsOf(err);
        if (!failure || failure.status === 403 || failure.status === 404) throw err;
        await renderEdit(res, kind, id, failure.status, { section, values: submittedValues(req.body), errors: failure.fields, message: failure.message });
      }
    },
  });

  return [
    {
      method: 'get',
      path: '/leaderboards',
      access: { action: 'leaderboard.view' },
      handler: async (req, res) => {
        const query = boardQuery.parse(req.query);
        const board = await gamification.leaderboard(req.actor!, query);
        res.render('pages/gamification/leaderboards', { ...leaderboardModel(query, board, req.actor!), canManage: canPerform(req.actor!, 'gamification.manage') });
      },
    },
    {
      method: 'post',
      path: '/leaderboards/privacy',
      access: { action: 'leaderboard.view' },
      handler: async (req, res) => {
        const { hidden } = privacyForm.parse(req.body ?? {});
        await gamification.setHidden(req.actor!, hidden);
        flash(req, 'success', hidden ? 'You are hidden from public leaderboards. Your points still count for your organisation.' : 'You are shown on public leaderboards again.');
        res.redirect(303, '/leaderboards#privacy-heading');
      },
    },
    {
      method: 'get',
      path: '/leaderboards/manage',
      access: { action: 'gamification.manage' },
      handler: async (req, res) => renderManage(req, res, 200),
    },
    settingsRoute('/leaderboards/rules', 'rules', rulesForm, async (req, data) => {
      await gamification.savePointRules(req.actor!, data);
      return 'Point rules saved. They apply to outcomes from now on; points already awarded stay as they are.';
    }),
    settingsRoute('/leaderboards/seasons', 'seasons', seasonForm, async (_req, data) => `Season “${(await gamification.createSeason(data)).name}” created.`),
    settingsRoute('/leaderboards/badges', 'badges', badgeForm, async (_req, data) => `Badge “${(await gamification.createBadge(data)).name}” created and given to everyone who already meets it.`),
    {
      method: 'get',
      path: '/leaderboards/seasons/:id/edit',
      access: { action: 'gamification.manage' },
      handler: async (req, res) => renderEdit(res, 'season', idOf(req, 'season'), 200),
    },
    itemRoute('/leaderboards/seasons/:id', 'season', 'edit', seasonForm, async (id, data) => `Season “${(await gamification.updateSeason(id, data)).name}” saved.`),
    itemRoute(
      '/leaderboards/seasons/:id/delete',
      'season',
      'delete',
      deleteForm,
      async (id) => `Season “${(await gamification.deleteSeason(id)).name}” deleted. Points earned in it still count everywhere else.`,
    ),
    {
      method: 'get',
      path: '/leaderboards/badges/:id/edit',
      access: { action: 'gamification.manage' },
      handler: async (req, res) => renderEdit(res, 'badge', idOf(req, 'badge'), 200),
    },
    itemRoute('/leaderboards/badges/:id', 'badge', 'edit', badgeForm, async (id, data) => `Badge “${(await gamification.updateBadge(id, data)).name}” saved and given to everyone who now meets it.`),
    itemRoute('/leaderboards/badges/:id/delete', 'badge', 'delete', deleteForm, async (id) => `Badge “${(await gamification.deleteBadge(id)).name}” deleted.`),
  ];
}

