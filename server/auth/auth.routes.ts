import type { Request, Response } from 'express';
import type { RouteSpec } from '../http/route-table.js';
import type { AuthService } from './auth.service.js';
import { acceptInvitationForm, forgotPasswordForm, resetPasswordForm, safeNextPath, signInForm, tokenParam } from './auth.schema.js';
import { fieldErrorsOf, parseFields, type FieldErrors } from '../http/validate.js';
import { authErrors } from './auth.errors.js';
import { isAppError } from '../http/app-error.js';
import { destroySession, regenerateSession, saveSession } from './session.middleware.js';
import { flash } from '../http/shell.js';

async function signInAs(req: Request, userId: string): Promise<void> {
  // A new session id at sign-in defeats session fixation.
  await regenerateSession(req);
  req.session.userId = userId;
  await saveSession(req);
}

/** A token that cannot have been issued gets the same answer as an expired one. */
function tokenOf(req: Request, invalid: () => Error): string {
  const parsed = tokenParam.safeParse(req.params);
  if (!parsed.success) throw invalid();
  return parsed.data.token;
}
const resetTokenOf = (req: Request) => tokenOf(req, authErrors.resetInvalid);
const invitationTokenOf = (req: Request) => tokenOf(req, authErrors.invitationInvalid);

export function authRoutes(auth: AuthService): RouteSpec[] {
  const renderLogin = (res: Response, status: number, values: { email?: string; next?: string }, errors: FieldErrors, message?: string) =>
    res.status(status).render('pages/login', { title: 'Sign in', layout: 'public', values, errors, message });

  const renderInvitation = async (res: Response, token: string, status: number, values: Record<string, string>, errors: FieldErrors, message?: string) => {
    const invitation = await auth.describeInvitation(token);
    res.status(status).render('pages/accept-invitation', { title: 'Join Partner Academy', layout: 'public', invitation, token, values: { name: invitation.name ?? '', ...values }, errors, message });
  };

  return [
    {
      method: 'get',
      path: '/login',
      access: 'public',
      handler: (req, res) => {
        const next = safeNextPath.parse(typeof req.query.next === 'string' ? req.query.next : undefined);
        if (req.actor) return res.redirect(303, next);
        renderLogin(res, 200, { next }, {});
      },
    },
    {
      method: 'post',
      path: '/login',
      access: 'public',
      handler: async (req, res) => {
        const form = parseFields(signInForm, req.body);
        const values = { email: String(req.body?.email ?? ''), next: safeNextPath.parse(req.body?.next) };
        if (!form.ok) return renderLogin(res, 400, values, form.fields, 'Enter your email and password.');
        try {
          const { userId } = await auth.signIn({ email: form.data.email, password: form.data.password, ip: req.ip ?? 'unknown' });
          await signInAs(req, userId);
          res.redirect(303, form.data.next);
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (!failure) throw err;
          if (isAppError(err) && err.code === 'auth.too_many_attempts') res.setHeader('Retry-After', String(Math.ceil(Number(err.details?.retryAfterSeconds ?? 60))));
          renderLogin(res, failure.status, values, {}, failure.message);
        }
      },
    },
    {
      method: 'post',
      path: '/logout',
      access: 'public',
      handler: async (req, res) => {
        if (req.session) await destroySession(req);
        res.redirect(303, '/login');
      },
    },
    {
      method: 'get',
      path: '/password/forgot',
      access: 'public',
      handler: (_req, res) => res.render('pages/forgot-password', { title: 'Reset your password', layout: 'public', values: {}, errors: {} }),
    },
    {
      method: 'post',
      path: '/password/forgot',
      access: 'public',
      handler: async (req, res) => {
        const form = parseFields(forgotPasswordForm, req.body);
        if (!form.ok) {
          return res.status(400).render('pages/forgot-password', { title: 'Reset your password', layout: 'public', values: { email: req.body?.email ?? '' }, errors: form.fields });
        }
        await auth.requestPasswordReset(form.data.email);
        res.render('pages/forgot-password', { title: 'Check your email', layout: 'public', sent: true, values: {}, errors: {} });
      },
    },
    {
      method: 'get',
      path: '/password/reset/:token',
      access: 'public',
      handler: async (req, res) => {
        const token = resetTokenOf(req);
        await auth.assertPasswordResetUsable(token);
        res.render('pages/reset-password', { title: 'Choose a new password', layout: 'public', token, errors: {} });
      },
    },
    {
      method: 'post',
      path: '/password/reset/:token',
      access: 'public',
      handler: async (req, res) => {
        const token = resetTokenOf(req);
        const form = parseFields(resetPasswordForm, req.body);
        if (!form.ok) {
          await auth.assertPasswordResetUsable(token);
          return res.status(400).render('pages/reset-password', { title: 'Choose a new password', layout: 'public', token, errors: form.fields });
        }
        await auth.resetPassword(token, form.data.password);
        flash(req, 'success', 'Your password was changed and all your other sessions were signed out. Sign in with the new password.');
        res.redirect(303, '/login');
      },
    },
    {
      method: 'get',
      path: '/invitations/:token',
      access: 'public',
      handler: async (req, res) => {
        await renderInvitation(res, invitationTokenOf(req), 200, {}, {});
      },
    },
    {
      method: 'post',
      path: '/invitations/:token',
      access: 'public',
      handler: async (req, res) => {
        const token = invitationTokenOf(req);
        const form = parseFields(acceptInvitationForm, req.body);
        if (!form.ok) return renderInvitation(res, token, 400, { name: String(req.body?.name ?? '') }, form.fields);
        const { userId } = await auth.acceptInvitation(token, { name: form.data.name, password: form.data.password });
        await signInAs(req, userId);
        flash(req, 'success', 'Welcome to Partner Academy! Your account is ready.');
        res.redirect(303, '/');
      },
    },
  ];
}
