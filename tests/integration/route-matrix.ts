/**
 * Who may reach every route, kept as data. The matrix test fails when a registered route is missing here,
 * so a new route cannot ship without a decided answer for every role and for another organisation's data.
 *
 * Outcomes:
 * - ok: the handler ran (a page, a redirect after success, or a 4xx about the input itself: 400/409/410);
 * - forbidden: 403, the role may not do this at all;
 * - not_found: 404, the row belongs to another organisation and answers exactly like a missing one;
 * - sign_in: not signed in (GET redirects to /login, other methods 401).
 *
 * `own` runs the route on the caller's organisation's data (Acme for partner roles); `foreign` on another
 * partner's (Globex). Vendor-side roles see every organisation, so foreign is ok for them where own is.
 */
export type Role = 'anonymous' | 'vendor_admin' | 'enablement_manager' | 'channel_manager' | 'partner_admin' | 'partner_rep' | 'partner_marketer';
export type Outcome = 'ok' | 'forbidden' | 'not_found' | 'sign_in';
/** catalogueCourse: a published course, own = visible to resellers (Acme), foreign = visible to distributors only (Globex). assignment: an assignment of the course. */
export type Target = 'organisation' | 'user' | 'invitation' | 'tier' | 'course' | 'catalogueCourse' | 'assignment' | 'token' | 'none';

export interface MatrixRow {
  route: string;
  target: Target;
  body?: Record<string, string>;
  own: Record<Role, Outcome>;
  /** Only for rows whose target belongs to an organisation. */
  foreign?: Partial<Record<Role, Outcome>>;
}

const all = (outcome: Outcome): Record<Role, Outcome> => ({
  anonymous: outcome,
  vendor_admin: outcome,
  enablement_manager: outcome,
  channel_manager: outcome,
  partner_admin: outcome,
  partner_rep: outcome,
  partner_marketer: outcome,
});
const signedIn = (overrides: Partial<Record<Role, Outcome>>): Record<Role, Outcome> => ({ ...all('ok'), anonymous: 'sign_in', ...overrides });
const partnersHidden = { partner_admin: 'not_found', partner_rep: 'not_found', partner_marketer: 'not_found' } as const;
const vendorOnly = signedIn({ partner_admin: 'forbidden', partner_rep: 'forbidden', partner_marketer: 'forbidden' });
const adminOnly = signedIn({ enablement_manager: 'forbidden', channel_manager: 'forbidden', partner_admin: 'forbidden', partner_rep: 'forbidden', partner_marketer: 'forbidden' });
const admins = signedIn({ enablement_manager: 'forbidden', channel_manager: 'forbidden', partner_rep: 'forbidden', partner_marketer: 'forbidden' });
const userViewers = signedIn({ partner_rep: 'forbidden', partner_marketer: 'forbidden' });
const courseManagers = signedIn({ channel_manager: 'forbidden', partner_admin: 'forbidden', partner_rep: 'forbidden', partner_marketer: 'forbidden' });
const courseReporters = signedIn({ partner_rep: 'forbidden', partner_marketer: 'forbidden' });
/** asset.manage routes on an id that does not exist: managers reach the lookup (404), everyone else is refused first. */
const libraryManagersOnMissing = signedIn({ vendor_admin: 'not_found', enablement_manager: 'not_found', channel_manager: 'forbidden', partner_admin: 'forbidden', partner_rep: 'forbidden', partner_marketer: 'forbidden' });

export const ROUTE_MATRIX: readonly MatrixRow[] = [
  { route: 'GET /healthz', target: 'none', own: all('ok') },
  { route: 'GET /readyz', target: 'none', own: all('ok') },
  { route: 'GET /', target: 'none', own: signedIn({}) },
  { route: 'GET /login', target: 'none', own: all('ok') },
  { route: 'POST /login', target: 'none', body: { email: '' }, own: all('ok') },
  { route: 'GET /password/forgot', target: 'none', own: all('ok') },
  { route: 'POST /password/forgot', target: 'none', body: { email: '' }, own: all('ok') },
  { route: 'GET /password/reset/:token', target: 'token', own: all('ok') },
  { route: 'POST /password/reset/:token', target: 'token', own: all('ok') },
  { route: 'GET /invitations/:token', target: 'token', own: all('ok') },
  { route: 'POST /invitations/:token', target: 'token', own: all('ok') },

  { route: 'GET /organisations', target: 'none', own: vendorOnly },
  { route: 'GET /organisations/new', target: 'none', own: adminOnly },
  { route: 'POST /organisations', target: 'none', body: { name: '' }, own: adminOnly },
  { route: 'GET /organisations/:id', target: 'organisation', own: signedIn({}), foreign: partnersHidden },
  {
    route: 'GET /organisations/:id/edit',
    target: 'organisation',
    own: signedIn({ enablement_manager: 'forbidden', partner_admin: 'forbidden', partner_rep: 'forbidden', partner_marketer: 'forbidden' }),
    foreign: {},
  },
  {
    route: 'POST /organisations/:id',
    target: 'organisation',
    body: { name: '' },
    own: signedIn({ enablement_manager: 'forbidden', partner_admin: 'forbidden', partner_rep: 'forbidden', partner_marketer: 'forbidden' }),
    foreign: {},
  },
  {
    route: 'GET /organisations/:id/branding',
    target: 'organisation',
    own: signedIn({ enablement_manager: 'forbidden', partner_rep: 'forbidden' }),
    foreign: { partner_admin: 'not_found', partner_marketer: 'not_found' },
  },
  {
    route: 'POST /organisations/:id/branding',
    target: 'organisation',
    body: { contactPhone: 'not a phone' },
    own: signedIn({ enablement_manager: 'forbidden', partner_rep: 'forbidden' }),
    foreign: { partner_admin: 'not_found', partner_marketer: 'not_found' },
  },

  // COBRAND: the organisation's logo. Without a file (the matrix posts a plain form) a permitted caller gets 400 "choose a file".
  {
    route: 'POST /organisations/:id/logo',
    target: 'organisation',
    own: signedIn({ enablement_manager: 'forbidden', partner_rep: 'forbidden' }),
    foreign: { partner_admin: 'not_found', partner_marketer: 'not_found' },
  },
  // Removing a logo the organisation does not have redirects, so every permitted caller gets the handler.
  {
    route: 'POST /organisations/:id/logo/delete',
    target: 'organisation',
    own: signedIn({ enablement_manager: 'forbidden', partner_rep: 'forbidden' }),
    foreign: { partner_admin: 'not_found', partner_marketer: 'not_found' },
  },
  // The matrix organisations have no logo, so any hash is 404; who may fetch a real logo is tested in branding.test.ts and cobrand.test.ts.
  { route: 'GET /organisations/:id/logo/:hash.png', target: 'organisation', own: { ...all('not_found'), anonymous: 'sign_in' }, foreign: {} },

  { route: 'GET /users', target: 'none', own: userViewers },
  { route: 'GET /users/invite', target: 'none', own: admins },
  { route: 'POST /users/invite', target: 'none', body: { email: '' }, own: admins },
  { route: 'GET /users/:id', target: 'user', own: userViewers, foreign: { partner_admin: 'not_found' } },
  { route: 'POST /users/:id', target: 'user', body: {}, own: admins, foreign: { partner_admin: 'not_found' } },
  { route: 'POST /invitations/:id/revoke', target: 'invitation', own: admins, foreign: { partner_admin: 'not_found' } },

  { route: 'GET /profile', target: 'none', own: signedIn({}) },
  { route: 'POST /profile', target: 'none', body: { name: '' }, own: signedIn({}) },
  { route: 'POST /profile/password', target: 'none', body: { currentPassword: '' }, own: signedIn({}) },

  { route: 'GET /settings/tiers', target: 'none', own: adminOnly },
  { route: 'POST /settings/tiers', target: 'none', body: { key: '' }, own: adminOnly },
  { route: 'POST /settings/tiers/:id', target: 'tier', body: { name: '' }, own: adminOnly },
  { route: 'POST /settings/tiers/:id/delete', target: 'tier', own: adminOnly },

  { route: 'GET /courses/manage', target: 'none', own: courseManagers },
  { route: 'GET /courses/new', target: 'none', own: courseManagers },
  { route: 'POST /courses', target: 'none', body: { title: '' }, own: courseManagers },
  { route: 'GET /courses/:id/manage', target: 'course', own: courseManagers },
  { route: 'POST /courses/:id/versions', target: 'course', own: courseManagers },

  { route: 'GET /courses', target: 'none', own: signedIn({}) },
  { route: 'GET /my/courses', target: 'none', own: signedIn({}) },
  // Another partner's course (visible to distributors only) answers like a missing one; the vendor side sees every published course.
  { route: 'GET /courses/:id', target: 'catalogueCourse', own: signedIn({}), foreign: partnersHidden },
  { route: 'POST /courses/:id/enrol', target: 'catalogueCourse', own: signedIn({}), foreign: partnersHidden },
  { route: 'GET /courses/:id/settings', target: 'course', own: courseManagers },
  { route: 'POST /courses/:id/settings', target: 'course', body: { title: '' }, own: courseManagers },
  { route: 'POST /courses/:id/assignments', target: 'course', body: {}, own: courseManagers },
  // Without a file (the matrix sends a plain form) a manager is told to choose an image (400).
  { route: 'POST /courses/:id/cover', target: 'course', own: courseManagers },
  // Removing a cover the course does not have redirects (a double-submitted form), so every manager gets the handler.
  { route: 'POST /courses/:id/cover/delete', target: 'course', own: courseManagers },
  // The matrix courses have no cover, so a signed-in caller gets 404 as for any hash that is not the current cover's;
  // who may fetch a real cover (the course page's visibility) is tested in course-cover.test.ts.
  {
    route: 'GET /courses/:id/cover/:hash.webp',
    target: 'catalogueCourse',
    own: { ...all('not_found'), anonymous: 'sign_in' },
    foreign: {},
  },
  // Removing an assignment that is already gone redirects (a double-submitted form), so every manager gets the handler.
  { route: 'POST /courses/:id/assignments/:assignmentId/delete', target: 'assignment', own: courseManagers },
  { route: 'GET /courses/:id/report', target: 'catalogueCourse', own: courseReporters, foreign: { partner_admin: 'not_found' } },
  { route: 'GET /courses/:id/report.csv', target: 'catalogueCourse', own: courseReporters, foreign: { partner_admin: 'not_found' } },

  // LIBRARY: browsing is for everyone signed in; uploading, editing and tags for the enablement team (asset.manage).
  { route: 'GET /library', target: 'none', own: signedIn({}) },
  { route: 'GET /library/new', target: 'none', own: courseManagers },
  { route: 'GET /library/upload', target: 'none', own: courseManagers },
  // Without a file and category (the matrix posts a plain form) a manager gets the form back with 400.
  { route: 'POST /library/assets', target: 'none', own: courseManagers },
  { route: 'GET /library/tags', target: 'none', own: courseManagers },
  { route: 'POST /library/tags', target: 'none', body: { name: '' }, own: courseManagers },
  // Asset and tag routes run on an id that is no asset or tag group (the matrix has no asset target): the role check comes first (403),
  // then the lookup (404, as for an asset the caller may not see). Visibility of real assets is tested in library.test.ts.
  { route: 'GET /library/assets/:id', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /library/assets/:id/download', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /library/assets/:id/versions/:versionId/download', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /library/assets/:id/versions/:versionId/preview.webp', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /library/assets/:id/edit', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /library/assets/:id/edit', target: 'course', body: { title: 'x', category: 'other', language: 'en' }, own: libraryManagersOnMissing },
  { route: 'POST /library/assets/:id/versions', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /library/assets/:id/archive', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /library/assets/:id/restore', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /library/tags/:id/values', target: 'course', body: { label: 'x' }, own: libraryManagersOnMissing },
  { route: 'POST /library/tags/:id/values/:tagId', target: 'course', body: { label: 'x' }, own: libraryManagersOnMissing },
  { route: 'POST /library/tags/:id/values/:tagId/delete', target: 'course', own: libraryManagersOnMissing },

  // Library usage: the vendor side sees every partner, a partner admin the same page scoped to their own organisation.
  { route: 'GET /library/reports', target: 'none', own: courseReporters },
  { route: 'GET /library/reports/most-used.csv', target: 'none', own: courseReporters },
  { route: 'GET /library/reports/organisations.csv', target: 'none', own: courseReporters },
  { route: 'GET /library/reports/partner-types.csv', target: 'none', own: courseReporters },
  { route: 'GET /library/reports/never-used.csv', target: 'none', own: courseReporters },
  { route: 'GET /library/reports/trend.csv', target: 'none', own: courseReporters },

  // COBRAND: co-branding routes, on an id that is no library asset (as the LIBRARY rows above). Visibility of real assets per
  // organisation is tested in cobrand.test.ts (tenancy).
  { route: 'GET /library/assets/:id/cobranding', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /library/assets/:id/cobranding', target: 'course', own: libraryManagersOnMissing },
  { route: 'GET /library/assets/:id/cobranding/preview', target: 'course', own: libraryManagersOnMissing },
  { route: 'GET /library/assets/:id/cobranded', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /library/assets/:id/cobranded/preview', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /library/assets/:id/cobranded/preview-page', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },

  // A draft course with no package: only the enablement team (course.manage) may open drafts, and gets 409 (no lessons yet); everyone else 404 (not visible).
  { route: 'GET /courses/:id/play', target: 'course', own: signedIn({ channel_manager: 'not_found', partner_admin: 'not_found', partner_rep: 'not_found', partner_marketer: 'not_found' }) },

  // SEARCH: everyone signed in may search; what each finds is limited inside the engine query (tests/integration/search.test.ts).
  { route: 'GET /search', target: 'none', own: signedIn({}) },
  { route: 'GET /search/suggest', target: 'none', own: signedIn({}) },

  // PATHS: learning paths. Everyone has their own list; the enablement team builds paths. Rows with an id use one that is no
  // path (the draft course's), so callers past the access check get 404; assignment by rules and per-organisation report
  // scoping are tested in tests/integration/paths.test.ts.
  { route: 'GET /paths', target: 'none', own: signedIn({}) },
  { route: 'GET /paths/manage', target: 'none', own: courseManagers },
  { route: 'GET /paths/new', target: 'none', own: courseManagers },
  { route: 'POST /paths', target: 'none', body: { title: '' }, own: courseManagers },
  { route: 'GET /paths/:id', target: 'course', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /paths/:id/edit', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /paths/:id', target: 'course', body: { title: 'x', status: 'draft' }, own: libraryManagersOnMissing },
  { route: 'POST /paths/:id/steps', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /paths/:id/steps/:stepId/move', target: 'course', body: { direction: 'up' }, own: libraryManagersOnMissing },
  { route: 'POST /paths/:id/steps/:stepId/prerequisite', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /paths/:id/steps/:stepId/delete', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /paths/:id/rules', target: 'course', body: { roles: 'partner_rep' }, own: libraryManagersOnMissing },
  { route: 'POST /paths/:id/rules/:ruleId/delete', target: 'course', own: libraryManagersOnMissing },
  { route: 'GET /paths/:id/report', target: 'course', own: { ...courseReporters, vendor_admin: 'not_found', enablement_manager: 'not_found', channel_manager: 'not_found', partner_admin: 'not_found' } },
  { route: 'GET /paths/:id/report.csv', target: 'course', own: { ...courseReporters, vendor_admin: 'not_found', enablement_manager: 'not_found', channel_manager: 'not_found', partner_admin: 'not_found' } },

  // CERTIFICATIONS: everyone has their own certificates; the enablement team defines certifications (certification.manage, the
  // same roles as course.manage); reports as course.report. Rows with :id use an id that is no certification (a course's), and
  // :publicId stays literal (not a certificate id): managers reach the lookup (404), others are refused first. Holders,
  // tenancy of reports and PDFs are tested in tests/integration/certifications.test.ts.
  { route: 'GET /certifications', target: 'none', own: signedIn({}) },
  { route: 'GET /certifications/manage', target: 'none', own: courseManagers },
  { route: 'GET /certifications/new', target: 'none', own: courseManagers },
  { route: 'POST /certifications', target: 'none', body: { name: '' }, own: courseManagers },
  { route: 'GET /certifications/:id/edit', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /certifications/:id', target: 'course', body: { name: 'x', courseIds: '', validityMonths: '12', recertWindowDays: '30' }, own: libraryManagersOnMissing },
  { route: 'GET /certifications/:id/holders', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /certifications/certificates/:publicId/revoke', target: 'none', body: { reason: 'x' }, own: libraryManagersOnMissing },
  { route: 'GET /certifications/certificates/:publicId.pdf', target: 'none', own: { ...all('not_found'), anonymous: 'sign_in' } },
  { route: 'GET /certifications/organisations', target: 'none', own: courseReporters },
  { route: 'GET /certifications/tier-requirements', target: 'none', own: courseManagers },
  { route: 'POST /certifications/tier-requirements', target: 'none', body: { tierId: '' }, own: courseManagers },
  { route: 'POST /certifications/tier-requirements/:id/delete', target: 'course', own: courseManagers },
  // Public: anyone may check a certificate; an id never issued is 404 for everyone, signed in or not.
  { route: 'GET /verify/:publicId', target: 'none', own: all('not_found') },

  // GAMIFICATION: boards are public inside the programme (everyone signed in); point rules, seasons and badges are the
  // enablement team's (gamification.manage). Boards, hiding and scoring are tested in tests/integration/gamification.test.ts.
  { route: 'GET /leaderboards', target: 'none', own: signedIn({}) },
  { route: 'POST /leaderboards/privacy', target: 'none', body: {}, own: signedIn({}) },
  { route: 'GET /leaderboards/manage', target: 'none', own: courseManagers },
  { route: 'POST /leaderboards/rules', target: 'none', body: {}, own: courseManagers },
  { route: 'POST /leaderboards/seasons', target: 'none', body: { name: '' }, own: courseManagers },
  { route: 'POST /leaderboards/badges', target: 'none', body: { name: '' }, own: courseManagers },
  // Edit and delete: run on an id that is no season or badge, so managers reach the lookup (404) and everyone else is refused first.
  { route: 'GET /leaderboards/seasons/:id/edit', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /leaderboards/seasons/:id', target: 'course', body: { name: 'x', startsOn: '2030-01-01', endsOn: '2030-01-31' }, own: libraryManagersOnMissing },
  { route: 'POST /leaderboards/seasons/:id/delete', target: 'course', body: { confirm: 'yes' }, own: libraryManagersOnMissing },
  { route: 'GET /leaderboards/badges/:id/edit', target: 'course', own: libraryManagersOnMissing },
  { route: 'POST /leaderboards/badges/:id', target: 'course', body: { name: 'x', criterion: 'points', threshold: '1' }, own: libraryManagersOnMissing },
  { route: 'POST /leaderboards/badges/:id/delete', target: 'course', body: { confirm: 'yes' }, own: libraryManagersOnMissing },

  // PROGRAMME ANALYTICS: dashboards as course reports (the vendor side sees all, a partner admin their own organisation);
  // nudging is the enablement side's (readiness.nudge). Figures, scoping, CSV and nudges: tests/integration/programme-analytics.test.ts.
  { route: 'GET /analytics', target: 'none', own: courseReporters },
  { route: 'GET /analytics/trend.csv', target: 'none', own: courseReporters },
  { route: 'GET /analytics/courses.csv', target: 'none', own: courseReporters },
  { route: 'GET /analytics/certifications.csv', target: 'none', own: courseReporters },
  { route: 'GET /analytics/readiness', target: 'none', own: courseReporters },
  { route: 'GET /analytics/readiness.csv', target: 'none', own: courseReporters },
  { route: 'POST /analytics/readiness/:id/nudge', target: 'organisation', own: courseManagers, foreign: {} },

  // Last: it ends the session the other rows use.
  { route: 'POST /logout', target: 'none', own: all('ok') },
];
