import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { ROUTE_MATRIX, type Outcome, type Role, type Target } from './route-matrix.js';
import { findUserByEmail, insertUser } from '../../server/users/users.repository.js';
import { listOrganisations, listTiers } from '../../server/organisations/organisations.repository.js';
import { insertInvitation } from '../../server/auth/auth.repository.js';
import { hashPassword } from '../../server/auth/password.js';
import { insertAssignment, insertCourse } from '../../courses/catalogue/courses.repository.js';

let app: TestApp;
const ROLES: Role[] = ['anonymous', 'vendor_admin', 'enablement_manager', 'channel_manager', 'partner_admin', 'partner_rep', 'partner_marketer'];
const ACCOUNTS: Record<Exclude<Role, 'anonymous'>, string> = {
  vendor_admin: 'admin@vendor.test',
  enablement_manager: 'enablement@vendor.test',
  channel_manager: 'channel@vendor.test',
  partner_admin: 'admin@acme.test',
  partner_rep: 'rep@acme.test',
  partner_marketer: 'marketer@acme.test',
};
const ids: Record<'own' | 'foreign', Record<Exclude<Target, 'none' | 'token'>, string>> = { own: {} as never, foreign: {} as never };

beforeAll(async () => {
  app = await startTestApp();
  const db = app.deps.database.db;
  const { rows } = await listOrganisations(db, { kind: 'all' }, { limit: 10, offset: 0 });
  const org = (slug: string) => rows.find((o) => o.slug === slug)!;
  await insertUser(db, { organisationId: org('vendor').id, email: 'channel@vendor.test', name: 'Casey Channel', role: 'channel_manager', passwordHash: await hashPassword(DEMO_PASSWORD) });
  const tier = (await listTiers(db)).find((t) => t.key === 'gold')!;
  const admin = await findUserByEmail(db, 'admin@vendor.test');
  const course = await insertCourse(db, { title: 'Matrix course' });
  const catalogueCourses = {
    own: await insertCourse(db, { title: 'Matrix course for resellers', status: 'published', visiblePartnerTypes: ['reseller'] }),
    foreign: await insertCourse(db, { title: 'Matrix course for distributors', status: 'published', visiblePartnerTypes: ['distributor'] }),
  };
  const assignment = await insertAssignment(db, { courseId: course.id, role: 'partner_rep' });
  for (const [side, slug] of [['own', 'acme'], ['foreign', 'globex']] as const) {
    const invitation = await insertInvitation(db, {
      organisationId: org(slug).id,
      email: `pending-${slug}@example.test`,
      name: null,
      role: 'partner_rep',
      tokenHash: `matrix-${slug}`,
      invitedById: admin!.id,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    ids[side] = { organisation: org(slug).id, user: (await findUserByEmail(db, `rep@${slug}.test`))!.id, invitation: invitation.id, tier: tier.id, course: course.id, catalogueCourse: catalogueCourses[side].id, assignment: assignment.id };
  }
});
afterAll(async () => app?.stop());

function pathFor(route: string, target: Target, side: 'own' | 'foreign'): string {
  const path = route.split(' ')[1]!;
  if (target === 'token') return path.replace(':token', 'a-token-that-was-never-issued-0000');
  if (target === 'none') return path;
  if (target === 'assignment') return path.replace(':id', ids[side].course).replace(':assignmentId', ids[side].assignment);
  return path.replace(':id', ids[side][target]);
}

function outcomeOf(method: string, res: { status: number; location: string | null }): Outcome | `unexpected ${number}` {
  if (res.status === 403) return 'forbidden';
  if (res.status === 404) return 'not_found';
  if (res.status === 401 || (method === 'GET' && res.status === 303 && res.location?.startsWith('/login?next='))) return 'sign_in';
  if ([200, 303, 400, 409, 410].includes(res.status)) return 'ok';
  return `unexpected ${res.status}`;
}

describe('authorisation matrix', () => {
  it('lists every registered route, and only those', () => {
    const registered = app.routes.routes.map((r) => `${r.method} ${r.path}`).sort();
    const inMatrix = ROUTE_MATRIX.map((r) => r.route).sort();
    expect(inMatrix).toEqual(registered);
  });

  for (const role of ROLES) {
    it(`answers every route as the matrix says for ${role}`, async () => {
      const client = new TestClient(app.baseUrl);
      if (role !== 'anonymous') await client.signIn(ACCOUNTS[role], DEMO_PASSWORD);
      else await client.get('/login');
      const mismatches: string[] = [];
      for (const row of ROUTE_MATRIX) {
        const method = row.route.split(' ')[0]!;
        const sides: ('own' | 'foreign')[] = row.foreign ? ['own', 'foreign'] : ['own'];
        for (const side of sides) {
          const expected = side === 'own' ? row.own[role] : (row.foreign![role] ?? row.own[role]);
          const path = pathFor(row.route, row.target, side);
          const res = method === 'GET' ? await client.get(path) : await client.post(path, row.body ?? {});
          const actual = outcomeOf(method, res);
          if (actual !== expected) mismatches.push(`${row.route} (${side}): expected ${expected}, got ${actual}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
