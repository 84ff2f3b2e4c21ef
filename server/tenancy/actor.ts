import type { UserRole } from '../users/users.table.js';

/** Who is asking: built once per request from the session, passed to the policy and to services. */
export interface Actor {
  readonly userId: string;
  readonly organisationId: string;
  readonly organisationKind: 'vendor' | 'partner';
  readonly organisationName: string;
  readonly role: UserRole;
  readonly name: string;
  readonly email: string;
}

export const VENDOR_ROLES = ['vendor_admin', 'enablement_manager', 'channel_manager'] as const satisfies readonly UserRole[];
export const PARTNER_ROLES = ['partner_admin', 'partner_rep', 'partner_marketer'] as const satisfies readonly UserRole[];

export function isVendorRole(role: UserRole): boolean {
  return (VENDOR_ROLES as readonly UserRole[]).includes(role);
}

export const ROLE_LABELS: Readonly<Record<UserRole, string>> = {
  vendor_admin: 'Vendor admin',
  enablement_manager: 'Enablement manager',
  channel_manager: 'Channel manager',
  partner_admin: 'Partner admin',
  partner_rep: 'Partner rep',
  partner_marketer: 'Partner marketer',
};
