import { describe, expect, it } from '@jest/globals';
import { assignableRoles, canPerform, canPerformOn, scopeFor } from '../../server/tenancy/policy.js';
import type { Actor } from '../../server/tenancy/actor.js';
import type { UserRole } from '../../server/users/users.table.js';

const actor = (role: UserRole, organisationId = 'org-a'): Actor => ({
  userId: 'u',
  organisationId,
  organisationKind: role.startsWith('partner') ? 'partner' : 'vendor',
  organisationName: 'Org',
  role,
  name: 'N',
  email: 'e@x.test',
});

describe('policy', () => {
  it('scopes partner users to their organisation and vendor staff to everything', () => {
    expect(scopeFor(actor('partner_rep'))).toEqual({ kind: 'organisation', organisationId: 'org-a' });
    expect(scopeFor(actor('enablement_manager', 'vendor'))).toEqual({ kind: 'all' });
  });

  it('lets a partner admin manage users of its own organisation only', () => {
    const admin = actor('partner_admin');
    expect(canPerformOn(admin, 'user.update', { organisationId: 'org-a' })).toBe(true);
    expect(canPerformOn(admin, 'user.update', { organisationId: 'org-b' })).toBe(false);
    expect(canPerformOn(actor('partner_rep'), 'user.update', { organisationId: 'org-a' })).toBe(false);
  });

  it('gives only partner roles inside partner organisations, vendor roles inside the vendor', () => {
    expect(assignableRoles(actor('partner_admin'), 'partner')).toEqual(['partner_admin', 'partner_rep', 'partner_marketer']);
    expect(assignableRoles(actor('partner_admin'), 'vendor')).toEqual([]);
    expect(assignableRoles(actor('vendor_admin', 'v'), 'vendor')).toEqual(['vendor_admin', 'enablement_manager', 'channel_manager']);
    expect(assignableRoles(actor('enablement_manager', 'v'), 'partner')).toEqual([]);
  });

  it("lets a channel manager edit partners but not the vendor's own organisation", () => {
    const channel = actor('channel_manager', 'v');
    expect(canPerformOn(channel, 'organisation.update', { organisationId: 'p', organisationKind: 'partner' })).toBe(true);
    expect(canPerformOn(channel, 'organisation.update', { organisationId: 'v', organisationKind: 'vendor' })).toBe(false);
  });

  it('keeps organisation lists and tier settings vendor-side', () => {
    expect(canPerform(actor('partner_admin'), 'organisation.list')).toBe(false);
    expect(canPerform(actor('channel_manager', 'v'), 'organisation.list')).toBe(true);
    expect(canPerform(actor('channel_manager', 'v'), 'tier.manage')).toBe(false);
    expect(canPerform(actor('vendor_admin', 'v'), 'tier.manage')).toBe(true);
  });
});
