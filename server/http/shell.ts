import type { Request, Response, NextFunction } from 'express';
import type { Actor } from '../tenancy/actor.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { canPerform } from '../tenancy/policy.js';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

/** The layout's view-model (header, navigation, flash, CSRF token), built from the actor, never from the request object itself. */
export interface ShellModel {
  user: { name: string; initials: string; roleLabel: string; organisationName: string } | null;
  nav: NavItem[];
  csrfToken: string;
  flash: { kind: string; message: string }[];
}

function navFor(actor: Actor, currentPath: string): NavItem[] {
  // section: the path prefix under which the item is the current one (defaults to href).
  const items: { href: string; label: string; section?: string }[] = [{ href: '/', label: 'Home' }];
  if (canPerform(actor, 'organisation.list')) items.push({ href: '/organisations', label: 'Organisations' });
  else items.push({ href: `/organisations/${actor.organisationId}`, label: 'My organisation' });
  // The enablement team's "Courses" is the management list (each course links to its catalogue page); learners get the catalogue and their own list.
  if (canPerform(actor, 'course.manage')) items.push({ href: '/courses/manage', label: 'Courses', section: '/courses' });
  else if (canPerform(actor, 'course.take')) items.push({ href: '/courses', label: 'Courses', section: '/courses' }, { href: '/my/courses', label: 'My learning' });
  // Learning paths: the enablement team's list to build them, everyone else their own assigned paths.
  if (canPerform(actor, 'path.manage')) items.push({ href: '/paths/manage', label: 'Learning paths', section: '/paths' });
  else if (canPerform(actor, 'path.view')) items.push({ href: '/paths', label: 'Learning paths' });
  // Certifications: the enablement team's list to define them, everyone else their own certificates.
  if (canPerform(actor, 'certification.manage')) items.push({ href: '/certifications/manage', label: 'Certifications', section: '/certifications' });
  else if (canPerform(actor, 'certification.view')) items.push({ href: '/certifications', label: 'Certifications' });
  if (canPerform(actor, 'asset.view')) items.push({ href: '/library', label: 'Library' });
  if (canPerform(actor, 'leaderboard.view')) items.push({ href: '/leaderboards', label: 'Leaderboards' });
  // Programme dashboards: the vendor side and partner admins (scoped to their organisation), as course reports.
  if (canPerform(actor, 'course.report')) items.push({ href: '/analytics', label: 'Analytics' });
  if (canPerform(actor, 'user.list')) items.push({ href: '/users', label: 'Users' });
  if (canPerform(actor, 'tier.manage')) items.push({ href: '/settings/tiers', label: 'Settings' });
  return items.map(({ section, ...i }) => ({ ...i, current: i.href === '/' ? currentPath === '/' : currentPath.startsWith(section ?? i.href) }));
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
