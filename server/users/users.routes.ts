import type { Request, Response } from 'express';
import type { RouteSpec } from '../http/route-table.js';
import type { UsersService } from './users.service.js';
import { changePasswordForm, inviteForm, profileForm, updateUserForm, userListQuery } from './users.schema.js';
import { fieldErrorsOf, parseFields, parseOrThrow, type FieldErrors } from '../http/validate.js';
import { idParam } from '../http/common.schema.js';
import { httpErrors } from '../http/http.errors.js';
import { flash } from '../http/shell.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { USER_ROLES, type UserRole } from './users.table.js';
import { paginationModel } from '../http/pagination.js';

function idOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('user');
  return parsed.data.id;
}

const roleOptions = (roles: readonly UserRole[], selected?: string) => roles.map((r) => ({ value: r, label: ROLE_LABELS[r], selected: r === selected }));

export function usersRoutes(users: UsersService): RouteSpec[] {
  const renderInvite = async (req: Request, res: Response, status: number, values: Record<string, string>, errors: FieldErrors, message?: string) => {
    const targets = await users.invitationTargets(req.actor!);
    const selectedOrg = values.organisationId ?? (targets.length === 1 ? targets[0]!.id : '');
    res.status(status).render('pages/users/invite', {
      title: 'Invite a user',
      values,
      errors,
      message,
      organisations: targets.map((t) => ({ value: t.id, label: t.name, selected: t.id === selectedOrg, roles: t.roles.map((r) => `${r}:${ROLE_LABELS[r]}`).join(',') })),
      // Every role the actor may give somewhere; the service checks it fits the chosen organisation.
      roles: roleOptions([...new Set(targets.flatMap((t) => t.roles))], values.role),
    });
  };

  const renderProfile = async (req: Request, res: Response, status: number, errors: FieldErrors, passwordErrors: FieldErrors, message?: string) => {
    const me = await users.getProfile(req.actor!);
    res.status(status).render('pages/profile', {
      title: 'Your profile',
      me: { name: me.name, email: me.email, roleLabel: ROLE_LABELS[me.role], organisationName: me.organisationName },
      errors,
      passwordErrors,
      message,
    });
  };

  return [
    {
      method: 'get',
      path: '/users',
      access: { action: 'user.list' },
      handler: async (req, res) => {
        const query = userListQuery.parse(req.query);
        const result = await users.listUsers(req.actor!, query);
        res.render('pages/users/list', {
          title: 'Users',
          query,
          roles: roleOptions(USER_ROLES, query.role),
          users: result.rows.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role], disabled: u.status === 'disabled' })),
          total: result.total,
          pagination: paginationModel('/users', query, result),
          mayInvite: (await users.invitationTargets(req.actor!)).length > 0,
        });
      },
    },
    {
      method: 'get',
      path: '/users/invite',
      access: { action: 'user.invite' },
      handler: async (req, res) => {
        const organisationId = typeof req.query.organisationId === 'string' ? req.query.organisationId : '';
        await renderInvite(req, res, 200, organisationId ? { organisationId } : {}, {});
      },
    },
    {
      method: 'post',
      path: '/users/invite',
      access: { action: 'user.invite' },
      handler: async (req, res) => {
        const values = { organisationId: String(req.body?.organisationId ?? ''), email: String(req.body?.email ?? ''), name: String(req.body?.name ?? ''), role: String(req.body?.role ?? '') };
        const form = parseFields(inviteForm, req.body);
        if (!form.ok) return renderInvite(req, res, 400, values, form.fields);
        try {
          const { organisation } = await users.inviteUser(req.actor!, form.data);
          flash(req, 'success', `Invitation sent to ${form.data.email}. The link works for a limited time; you can revoke it from the organisation page.`);
          res.redirect(303, `/organisations/${organisation.id}`);
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (!failure || failure.status === 404 || failure.status === 403) throw err;
          await renderInvite(req, res, failure.status, values, failure.fields, failure.message);
        }
      },
    },
    {
      method: 'post',
      path: '/invitations/:id/revoke',
      access: { action: 'user.invite' },
      handler: async (req, res) => {
        const { organisationId } = await users.revokeInvitation(req.actor!, idOf(req));
        flash(req, 'success', 'Invitation revoked. Its link no longer works.');
        res.redirect(303, `/organisations/${organisationId}`);
      },
    },
    {
      method: 'get',
      path: '/users/:id',
      access: { action: 'user.view' },
      handler: async (req, res) => {
        const { user, mayEdit, assignableRoles } = await users.getUser(req.actor!, idOf(req));
        res.render('pages/users/detail', {
          title: user.name,
          user: { ...user, roleLabel: ROLE_LABELS[user.role], disabled: user.status === 'disabled' },
          mayEdit,
          roles: roleOptions(assignableRoles, user.role),
        });
      },
    },
    {
      method: 'post',
      path: '/users/:id',
      access: { action: 'user.update' },
      handler: async (req, res) => {
        const id = idOf(req);
        const form = parseOrThrow(updateUserForm, req.body);
        const updated = await users.updateUser(req.actor!, id, form);
        flash(req, 'success', form.status === 'disabled' ? `${updated.name} was disabled and signed out everywhere.` : `${updated.name} was updated.`);
        res.redirect(303, `/users/${id}`);
      },
    },
    {
      method: 'get',
      path: '/profile',
      access: { action: 'profile.update' },
      handler: (req, res) => renderProfile(req, res, 200, {}, {}),
    },
    {
      method: 'post',
      path: '/profile',
      access: { action: 'profile.update' },
      handler: async (req, res) => {
        const form = parseFields(profileForm, req.body);
        if (!form.ok) return renderProfile(req, res, 400, form.fields, {});
        await users.updateProfile(req.actor!, form.data);
        flash(req, 'success', 'Your profile was saved.');
        res.redirect(303, '/profile');
      },
    },
    {
      method: 'post',
      path: '/profile/password',
      access: { action: 'profile.update' },
      handler: async (req, res) => {
        const form = parseFields(changePasswordForm, req.body);
        if (!form.ok) return renderProfile(req, res, 400, {}, form.fields);
        try {
          await users.changePassword(req.actor!, { currentPassword: form.data.currentPassword, newPassword: form.data.password });
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (!failure) throw err;
          return renderProfile(req, res, failure.status, {}, failure.fields, failure.message);
        }
        flash(req, 'success', 'Your password was changed.');
        res.redirect(303, '/profile');
      },
    },
  ];
}
