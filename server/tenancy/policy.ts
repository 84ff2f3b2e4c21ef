import type { UserRole } from '../users/users.table.js';
import { type Actor, VENDOR_ROLES, PARTNER_ROLES } from './actor.js';

/**
 * The one place that decides who may do what. Route definitions name the action they need
 * (checked before the handler runs); services ask again with the row they loaded, so a
 * partner-side caller can only ever act inside its own organisation.
 */
export type Action =
  | 'dashboard.view'
  | 'profile.update'
  | 'organisation.list'
  | 'organisation.view'
  | 'organisation.create'
  | 'organisation.update'
  | 'organisation.updateBranding'
  | 'user.list'
  | 'user.view'
  | 'user.invite'
  | 'user.update'
  | 'tier.manage'
  | 'course.manage'
  | 'course.take'
  | 'course.report'
  | 'asset.manage'
  | 'asset.view'
  | 'asset.report'
  | 'search.use'
  | 'certification.manage'
  | 'certification.view'
  | 'certification.report'
  | 'path.manage'
  | 'path.view'
  | 'gamification.manage'
  | 'leaderboard.view'
  | 'readiness.nudge';

/** The organisation a row belongs to, and (for organisations themselves) its kind. */
export interface PolicyTarget {
  organisationId: string;
  organisationKind?: 'vendor' | 'partner';
}

/** Which rows a caller may see: everything (vendor side) or one organisation's. */
export type OrgScope = { readonly kind: 'all' } | { readonly kind: 'organisation'; readonly organisationId: string };

type Rule = { roles: readonly UserRole[]; onTarget?: (actor: Actor, target: PolicyTarget) => boolean };

const everyone: readonly UserRole[] = [...VENDOR_ROLES, ...PARTNER_ROLES];
const vendorSide: readonly UserRole[] = VENDOR_ROLES;
const ownOrganisation = (actor: Actor, target: PolicyTarget) => actor.organisationKind === 'vendor' || target.organisationId === actor.organisationId;

const RULES: Readonly<Record<Action, Rule>> = {
  'dashboard.view': { roles: everyone },
  'profile.update': { roles: everyone },
  'organisation.list': { roles: vendorSide },
  'organisation.view': { roles: everyone, onTarget: ownOrganisation },
  'organisation.create': { roles: ['vendor_admin'] },
  'organisation.update': {
    roles: ['vendor_admin', 'channel_manager'],
    // Channel managers look after partners; only a vendor admin edits the vendor's own organisation.
    onTarget: (actor, target) => actor.role === 'vendor_admin' || target.organisationKind === 'partner',
  },
  'organisation.updateBranding': {
    roles: ['vendor_admin', 'channel_manager', 'partner_admin', 'partner_marketer'],
    onTarget: (actor, target) => (actor.organisationKind === 'vendor' ? actor.role === 'vendor_admin' || target.organisationKind === 'partner' : target.organisationId === actor.organisationId),
  },
  'user.list': { roles: [...vendorSide, 'partner_admin'] },
  'user.view': { roles: [...vendorSide, 'partner_admin'], onTarget: ownOrganisation },
  'user.invite': { roles: ['vendor_admin', 'partner_admin'], onTarget: ownOrganisation },
  'user.update': { roles: ['vendor_admin', 'partner_admin'], onTarget: ownOrganisation },
  'tier.manage': { roles: ['vendor_admin'] },
  // Uploading packages, versions and course settings: the vendor's enablement side.
  'course.manage': { roles: ['vendor_admin', 'enablement_manager'] },
  // Browsing the catalogue, enrolling and playing: everyone, limited by each course's visibility (in the service).
  'course.take': { roles: everyone },
  // Course reports: the vendor side sees every organisation, a partner admin only their own (scopeFor).
  'course.report': { roles: ['vendor_admin', 'enablement_manager', 'channel_manager', 'partner_admin'] },
  // Uploading, organising and templating library assets: the vendor's enablement side.
  'asset.manage': { roles: ['vendor_admin', 'enablement_manager'] },
  // Browsing, previewing and downloading (co-branded for partners): everyone, limited by each asset's visibility (in the service).
  'asset.view': { roles: everyone },
  // Library usage reports: the vendor side sees every organisation, a partner admin only their own (scopeFor).
  'asset.report': { roles: ['vendor_admin', 'enablement_manager', 'channel_manager', 'partner_admin'] },
  // Searching assets and courses together; results are filtered by what the searcher may see (in the engine query).
  'search.use': { roles: everyone },
  // Defining certifications, tier requirements and revoking certificates: the vendor's enablement side.
  'certification.manage': { roles: ['vendor_admin', 'enablement_manager'] },
  // One's own certificates (list, PDF); whose certificate a PDF may be is checked in the service.
  'certification.view': { roles: everyone },
  // Certified headcounts against tier requirements: the vendor side sees every partner, a partner admin their own (scopeFor).
  'certification.report': { roles: ['vendor_admin', 'enablement_manager', 'channel_manager', 'partner_admin'] },
  // Building learning paths (steps, due period, assignment rules): the vendor's enablement side.
  'path.manage': { roles: ['vendor_admin', 'enablement_manager'] },
  // Seeing one's assigned paths: everyone; which paths is decided by the assignment rules (in the service).
  'path.view': { roles: everyone },
  // Point rules, seasons and badges: the vendor's enablement side.
  'gamification.manage': { roles: ['vendor_admin', 'enablement_manager'] },
  // Leaderboards are public inside the programme (names only, never emails; hidden people left out of people boards).
  'leaderboard.view': { roles: everyone },
  // Nudging a partner organisation's admins about its readiness (programme analytics): the enablement side.
  'readiness.nudge': { roles: ['vendor_admin', 'enablement_manager'] },
};

/** May this role perform the action at all (before any row is known)? */
export function canPerform(actor: Actor, action: Action): boolean {
  return RULES[action].roles.includes(actor.role);
}

/** May the actor perform the action on a row of the given organisation? */
export function canPerformOn(actor: Actor, action: Action, target: PolicyTarget): boolean {
  const rule = RULES[action];
  if (!rule.roles.includes(actor.role)) return false;
  return rule.onTarget ? rule.onTarget(actor, target) : ownOrganisation(actor, target);
}

/** Rows outside this scope do not exist for the actor: services answer 404 for them, not 403. */
export function scopeFor(actor: Actor): OrgScope {
  return actor.organisationKind === 'vendor' ? { kind: 'all' } : { kind: 'organisation', organisationId: actor.organisationId };
}

export function isInScope(scope: OrgScope, organisationId: string): boolean {
  return scope.kind === 'all' || scope.organisationId === organisationId;
}

/** Roles the actor may give to a user of an organisation of the given kind (invite or role change). */
export function assignableRoles(actor: Actor, targetKind: 'vendor' | 'partner'): readonly UserRole[] {
  if (actor.role === 'vendor_admin') return targetKind === 'vendor' ? VENDOR_ROLES : PARTNER_ROLES;
  if (actor.role === 'partner_admin' && targetKind === 'partner') return PARTNER_ROLES;
  return [];
}
