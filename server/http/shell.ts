import type { Request, Response, NextFunction } from 'express';
import type { Actor } from '../tenancy/actor.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { canPerform } from '../tenancy/policy.js';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

/** A top-level entry of the main navigation: a plain link, or a group (a disclosure menu) of links. */
export interface NavEntry {
  label: string;
  current: boolean;
  /** A plain link's target; absent for a group. */
  href?: string;
  /** A group's id (for the menu's element id) and its links; absent for a plain link. */
  id?: string;
  items?: NavItem[];
}

/** The layout's view-model (header, navigation, flash, CSRF token), built from the actor, never from the request object itself. */
export interface ShellModel {
  user: { name: string; initials: string; roleLabel: string; organisationName: string } | null;
  nav: NavEntry[];
  csrfToken: string;
  flash: { kind: string; message: string }[];
}

/** A link before the current one is known; sections: the path prefixes under which it is current (defaults to its href). */
type Link = { href: string; label: string; sections?: string[] };

/** Whether path is prefix itself or below it (segment boundary: /paths is not under /path). */
const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

/**
 * The main navigation: Home, then groups (Learning, Library, Analytics, Partners or Team), each only with the
 * links the actor may use. A group with one link is shown as that link. The current link is the one whose section is
 * the longest prefix of the path (so /courses/manage is "Courses" for the enablement team, /library/reports is
 * "Usage reports", not "Library").
 */
export function navFor(actor: Actor, currentPath: string): NavEntry[] {
  const can = (action: Parameters<typeof canPerform>[1]) => canPerform(actor, action);
  const learning: Link[] = [];
  // The enablement team's "Courses" is the management list (each course links to its catalogue page); learners get the catalogue and their own list.
  if (can('course.manage')) learning.push({ href: '/courses/manage', label: 'Courses', sections: ['/courses'] });
  else if (can('course.take')) learning.push({ href: '/courses', label: 'Courses' }, { href: '/my/courses', label: 'My learning' });
  // Learning paths and certifications: the enablement team's lists to build them, everyone else their own.
  if (can('path.manage')) learning.push({ href: '/paths/manage', label: 'Learning paths', sections: ['/paths'] });
  else if (can('path.view')) learning.push({ href: '/paths', label: 'Learning paths' });
  if (can('certification.manage'))
    learning.push({ href: '/certifications/manage', label: 'Certifications', sections: ['/certifications'] }, { href: '/certifications/tier-requirements', label: 'Tier requirements' });
  else if (can('certification.view')) learning.push({ href: '/certifications', label: 'Certifications' });
  if (can('leaderboard.view')) learning.push({ href: '/leaderboards', label: 'Leaderboards' });
  if (can('gamification.manage')) learning.push({ href: '/leaderboards/manage', label: 'Points and badges', sections: ['/leaderboards/manage', '/leaderboards/seasons', '/leaderboards/badges'] });

  const library: Link[] = [];
  if (can('asset.view')) library.push({ href: '/library', label: 'Library' });
  if (can('course.report')) library.push({ href: '/library/reports', label: 'Usage reports' });
  if (can('asset.manage')) library.push({ href: '/library/tags', label: 'Tags' });

  // Programme dashboards: the vendor side and partner admins (scoped to their organisation), as course reports.
  const analytics: Link[] = [];
  if (can('course.report'))
    analytics.push({ href: '/analytics', label: 'Dashboard' }, { href: '/analytics/readiness', label: 'Readiness' }, { href: '/certifications/organisations', label: 'Certifications by organisation' });

  const people: Link[] = [];
  if (can('organisation.list')) people.push({ href: '/organisations', label: 'Organisations' });
  else people.push({ href: `/organisations/${actor.organisationId}`, label: 'My organisation' });
  if (can('user.list')) people.push({ href: '/users', label: 'Users' });
  if (can('tier.manage')) people.push({ href: '/settings/tiers', label: 'Partner tiers' });

  const groups: { id: string; label: string; links: Link[] }[] = [
    { id: 'learning', label: 'Learning', links: learning },
    { id: 'library', label: 'Library', links: library },
    { id: 'analytics', label: 'Analytics', links: analytics },
    // A partner admin's organisation and its people: "Team" (short enough for a phone's single row).
    { id: 'organisations', label: can('organisation.list') ? 'Partners' : 'Team', links: people },
  ];

  // The current link: the longest section that the path is under (Home only on / itself).
  const all = groups.flatMap((g) => g.links);
  const match = (l: Link) => Math.max(-1, ...(l.sections ?? [l.href]).filter((p) => under(currentPath, p)).map((p) => p.length));
  const current = all.filter((l) => match(l) >= 0).sort((a, b) => match(b) - match(a))[0];
  const item = (l: Link): NavItem => ({ href: l.href, label: l.label, current: l === current });

  const entries: NavEntry[] = [{ href: '/', label: 'Home', current: currentPath === '/' }];
  for (const group of groups) {
    if (group.links.length === 0) continue;
    if (group.links.length === 1) entries.push(item(group.links[0]!));
    else entries.push({ id: group.id, label: group.label, current: group.links.includes(current!), items: group.links.map(item) });
  }
  return entries;
}

export function initials(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]!.toUpperCase())
      .join('') || '?'
  );
}

export function shellMiddleware(generateCsrfToken: (req: Request) => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const actor = req.actor;
    // Flash messages are shown once; only touch the session when there is one, so plain page views do not write.
    const flash = req.session?.flash ?? [];
    if (req.session?.flash) delete req.session.flash;
    const shell: ShellModel = {
      user: actor ? { name: actor.name, initials: initials(actor.name), roleLabel: ROLE_LABELS[actor.role], organisationName: actor.organisationName } : null,
      nav: actor ? navFor(actor, req.path) : [],
      // Lazily: anonymous visitors of pages without forms need no session row.
      get csrfToken() {
        return generateCsrfToken(req);
      },
      flash,
    };
    res.locals.shell = shell;
    next();
  };
}

export function flash(req: Request, kind: 'success' | 'error' | 'info', message: string): void {
  req.session.flash = [...(req.session.flash ?? []), { kind, message }];
}
