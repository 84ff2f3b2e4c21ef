import { describe, expect, it } from '@jest/globals';
import { navFor, type NavEntry } from '../../server/http/shell.js';
import type { Actor } from '../../server/tenancy/actor.js';
import type { UserRole } from '../../server/users/users.table.js';

const actor = (role: UserRole): Actor => ({
  userId: '00000000-0000-4000-8000-000000000001',
  organisationId: '00000000-0000-4000-8000-0000000000aa',
  organisationKind: role.startsWith('partner') ? 'partner' : 'vendor',
  organisationName: 'Org',
  role,
  name: 'A Person',
  email: 'a@example.test',
});

/** "Home", "Learning: Courses, My learning" … for readable expectations. */
const outline = (entries: NavEntry[]) => entries.map((e) => (e.items ? `${e.label}: ${e.items.map((i) => i.label).join(', ')}` : e.label));
const currentOf = (entries: NavEntry[]) => entries.flatMap((e) => (e.items ?? [e]).filter((i) => i.current).map((i) => i.label));

describe('main navigation', () => {
  it('groups the vendor admin’s pages into four menus after Home', () => {
    expect(outline(navFor(actor('vendor_admin'), '/'))).toEqual([
      'Home',
      'Learning: Courses, Learning paths, Certifications, Tier requirements, Leaderboards, Points and badges',
      'Library: Library, Usage reports, Tags',
      'Analytics: Dashboard, Readiness, Certifications by organisation',
      'Partners: Organisations, Users, Partner tiers',
    ]);
  });

  it('shows a group with a single page as a plain link (a partner rep’s library and organisation)', () => {
    expect(outline(navFor(actor('partner_rep'), '/'))).toEqual(['Home', 'Learning: Courses, My learning, Learning paths, Certifications, Leaderboards', 'Library', 'My organisation']);
    expect(outline(navFor(actor('partner_admin'), '/'))).toEqual([
      'Home',
      'Learning: Courses, My learning, Learning paths, Certifications, Leaderboards',
      'Library: Library, Usage reports',
      'Analytics: Dashboard, Readiness, Certifications by organisation',
      'Team: My organisation, Users',
    ]);
  });

  it('marks exactly one current page: the longest section the path is under, and its group', () => {
    const admin = actor('vendor_admin');
    expect(currentOf(navFor(admin, '/'))).toEqual(['Home']);
    expect(currentOf(navFor(admin, '/library/reports'))).toEqual(['Usage reports']);
    expect(currentOf(navFor(admin, '/library/assets/x'))).toEqual(['Library']);
    expect(currentOf(navFor(admin, '/courses/123/settings'))).toEqual(['Courses']);
    expect(currentOf(navFor(admin, '/leaderboards/manage'))).toEqual(['Points and badges']);
    expect(currentOf(navFor(admin, '/leaderboards/seasons/x/edit'))).toEqual(['Points and badges']);
    expect(currentOf(navFor(admin, '/leaderboards'))).toEqual(['Leaderboards']);
    expect(currentOf(navFor(admin, '/certifications/organisations'))).toEqual(['Certifications by organisation']);
    expect(currentOf(navFor(admin, '/pathsx'))).toEqual([]);
    const analytics = navFor(admin, '/analytics/readiness').find((e) => e.label === 'Analytics')!;
    expect(analytics.current).toBe(true);
    expect(navFor(admin, '/analytics/readiness').filter((e) => e.current).map((e) => e.label)).toEqual(['Analytics']);
    expect(currentOf(navFor(actor('partner_rep'), '/my/courses'))).toEqual(['My learning']);
    expect(currentOf(navFor(actor('partner_rep'), '/organisations/00000000-0000-4000-8000-0000000000aa'))).toEqual(['My organisation']);
  });
});
