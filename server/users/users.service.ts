import type { AppDeps } from '../app-deps.js';
import type { Actor } from '../tenancy/actor.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { assignableRoles, canPerformOn, scopeFor } from '../tenancy/policy.js';
import { httpErrors } from '../http/http.errors.js';
import { usersErrors } from './users.errors.js';
import { authErrors } from '../auth/auth.errors.js';
import type { UserRole } from './users.table.js';
import * as usersRepository from './users.repository.js';
import * as authRepository from '../auth/auth.repository.js';
import * as organisationsRepository from '../organisations/organisations.repository.js';
import { createEmailToken } from '../auth/tokens.js';
import { hashPassword, verifyPassword } from '../auth/password.js';

export const USERS_PAGE_SIZE = 50;

export function createUsersService(deps: Pick<AppDeps, 'database' | 'mailer' | 'config' | 'clock'>) {
  const { db } = deps.database;

  /** Loads a user the actor may see, or answers 404 exactly as for a user that does not exist. */
  async function loadVisibleUser(actor: Actor, userId: string) {
    const user = await usersRepository.findUser(db, scopeFor(actor), userId);
    if (!user) throw httpErrors.notFound('user');
    return user;
  }

  async function loadVisibleOrganisation(actor: Actor, organisationId: string) {
    const organisation = await organisationsRepository.findOrganisation(db, scopeFor(actor), organisationId);
    if (!organisation) throw httpErrors.notFound('organisation');
    return organisation;
  }

  return {
    async listUsers(actor: Actor, filter: { q?: string; organisationId?: string; role?: UserRole; status?: 'active' | 'disabled'; page: number }) {
      const result = await usersRepository.listUsers(db, scopeFor(actor), { ...filter, limit: USERS_PAGE_SIZE, offset: (filter.page - 1) * USERS_PAGE_SIZE });
      return { ...result, page: filter.page, pageSize: USERS_PAGE_SIZE };
    },

    async getUser(actor: Actor, userId: string) {
      const user = await loadVisibleUser(actor, userId);
      const mayEdit = canPerformOn(actor, 'user.update', { organisationId: user.organisationId }) && user.id !== actor.userId;
      return { user, mayEdit, assignableRoles: mayEdit ? assignableRoles(actor, user.organisationKind) : [] };
    },

    /** Where the actor may invite people to, with the roles it may give in each. */
    async invitationTargets(actor: Actor) {
      const { rows } = await organisationsRepository.listOrganisations(db, scopeFor(actor), { limit: 500, offset: 0 });
      return rows
        .filter((o) => canPerformOn(actor, 'user.invite', { organisationId: o.id, organisationKind: o.kind }))
        .map((o) => ({ id: o.id, name: o.name, kind: o.kind, roles: assignableRoles(actor, o.kind) }))
        .filter((o) => o.roles.length > 0);
    },

    async inviteUser(actor: Actor, input: { organisationId: string; email: string; name?: string | undefined; role: UserRole }) {
      const organisation = await loadVisibleOrganisation(actor, input.organisationId);
      if (!canPerformOn(actor, 'user.invite', { organisationId: organisation.id, organisationKind: organisation.kind })) throw httpErrors.forbidden();
      if (!assignableRoles(actor, organisation.kind).includes(input.role)) throw usersErrors.roleNotAssignable(ROLE_LABELS[input.role]);
      const email = input.email.toLowerCase();
      const { token, tokenHash } = createEmailToken();
      const now = deps.clock();
      const invitation = await db.transaction(async (tx) => {
        if (await usersRepository.findUserByEmail(tx, email)) throw usersErrors.alreadyMember(email);
        // A fresh invitation replaces any open one, so only the newest link works.
        await authRepository.revokeOpenInvitationsFor(tx, email, now);
        return authRepository.insertInvitation(tx, {
          organisationId: organisation.id,
          email,
          name: input.name ?? null,
          role: input.role,
          tokenHash,
          invitedById: actor.userId,
          expiresAt: new Date(now.getTime() + deps.config.invitationTtlMs),
        });
      });
      const hours = Math.round(deps.config.invitationTtlMs / 3600_000);
      await deps.mailer.send({
        to: email,
        subject: `${actor.name} invited you to Partner Academy`,
        text: `Hello${input.name ? ` ${input.name}` : ''},\n\n${actor.name} invited you to join ${organisation.name} on Partner Academy as ${ROLE_LABELS[input.role]}.\nAccept the invitation and choose your password here (the link works for ${hours} hours):\n\n${deps.config.appUrl}/invitations/${token}\n`,
      });
      return { invitation, organisation };
    },

    async revokeInvitation(actor: Actor, invitationId: string) {
      const invitation = await authRepository.findInvitation(db, invitationId);
      if (!invitation) throw httpErrors.notFound('invitation');
      const organisation = await loadVisibleOrganisation(actor, invitation.organisationId);
      if (!canPerformOn(actor, 'user.invite', { organisationId: organisation.id, organisationKind: organisation.kind })) throw httpErrors.forbidden();
      if (!(await authRepository.revokeInvitation(db, invitation.id, deps.clock()))) throw usersErrors.invitationNotOpen();
      return { organisationId: organisation.id };
    },

    /** Role and status changes; disabling signs the user out everywhere in the same transaction. */
    async updateUser(actor: Actor, userId: string, input: { role?: UserRole | undefined; status?: 'active' | 'disabled' | undefined }) {
      const user = await loadVisibleUser(actor, userId);
      if (!canPerformOn(actor, 'user.update', { organisationId: user.organisationId })) throw httpErrors.forbidden();
      if (user.id === actor.userId) throw usersErrors.cannotChangeSelf();
      if (input.role && input.role !== user.role && !assignableRoles(actor, user.organisationKind).includes(input.role)) {
        throw usersErrors.roleNotAssignable(ROLE_LABELS[input.role]);
      }
      return db.transaction(async (tx) => {
        const updated = await usersRepository.updateUser(tx, user.id, { role: input.role, status: input.status });
        if (input.status === 'disabled') await authRepository.deleteSessionsOfUser(tx, user.id);
        return updated!;
      });
    },

    async updateProfile(actor: Actor, input: { name: string }) {
      await usersRepository.updateUser(db, actor.userId, { name: input.name });
    },

    async changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }) {
      const user = await usersRepository.findUserByEmail(db, actor.email);
      if (!user?.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) throw authErrors.currentPasswordWrong();
      await usersRepository.updateUser(db, actor.userId, { passwordHash: await hashPassword(input.newPassword) });
    },

    async getProfile(actor: Actor) {
      return loadVisibleUser(actor, actor.userId);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
