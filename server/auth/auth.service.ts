import type { AppDeps } from '../app-deps.js';
import { authErrors } from './auth.errors.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { createEmailToken, hashEmailToken } from './tokens.js';
import type { LoginThrottle } from './login-throttle.js';
import * as authRepository from './auth.repository.js';
import * as usersRepository from '../users/users.repository.js';
import * as organisationsRepository from '../organisations/organisations.repository.js';
import { isUniqueViolation } from '../db/db.errors.js';
import { ROLE_LABELS } from '../tenancy/actor.js';

export function createAuthService(deps: Pick<AppDeps, 'database' | 'mailer' | 'config' | 'clock' | 'logger'>, throttle: LoginThrottle) {
  const { db } = deps.database;

  return {
    /** Returns the user id on success. Failures count against the account and the IP. */
    async signIn(input: { email: string; password: string; ip: string }): Promise<{ userId: string }> {
      const email = input.email.toLowerCase();
      await throttle.assertAllowed(email, input.ip);
      const user = await usersRepository.findUserByEmail(db, email);
      const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
      if (!user || !ok || user.status !== 'active') {
        await throttle.recordFailure(email, input.ip);
        throw authErrors.invalidCredentials();
      }
      await throttle.recordSuccess(email);
      await usersRepository.updateUser(db, user.id, { lastSignInAt: deps.clock() });
      return { userId: user.id };
    },

    /** Always behaves the same whether or not the address has an account, so it cannot be used to probe for accounts. */
    async requestPasswordReset(emailInput: string): Promise<void> {
      const user = await usersRepository.findUserByEmail(db, emailInput);
      if (!user || user.status !== 'active') {
        deps.logger.info('password reset requested for an unknown or disabled address');
        return;
      }
      const { token, tokenHash } = createEmailToken();
      await authRepository.insertPasswordReset(db, { userId: user.id, tokenHash, expiresAt: new Date(deps.clock().getTime() + deps.config.passwordResetTtlMs) });
      const link = `${deps.config.appUrl}/password/reset/${token}`;
      const minutes = Math.round(deps.config.passwordResetTtlMs / 60_000);
      await deps.mailer.send({
        to: user.email,
        subject: 'Reset your Partner Academy password',
        text: `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset your Partner Academy password.\nChoose a new password here (the link works once, for ${minutes} minutes):\n\n${link}\n\nIf you did not ask for this, you can ignore this message.`,
      });
    },

    async assertPasswordResetUsable(token: string): Promise<void> {
      const reset = await authRepository.findPasswordResetByTokenHash(db, hashEmailToken(token));
      if (!reset || reset.usedAt || reset.expiresAt <= deps.clock()) throw authErrors.resetInvalid();
    },

    /** Sets the new password and signs the user out everywhere, in one transaction. */
    async resetPassword(token: string, password: string): Promise<void> {
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const reset = await authRepository.findPasswordResetByTokenHash(tx, hashEmailToken(token));
        if (!reset || !(await authRepository.markPasswordResetUsed(tx, reset.id, deps.clock()))) throw authErrors.resetInvalid();
        await usersRepository.updateUser(tx, reset.userId, { passwordHash });
        await authRepository.deleteSessionsOfUser(tx, reset.userId);
      });
    },

    async describeInvitation(token: string) {
      const invitation = await authRepository.findInvitationByTokenHash(db, hashEmailToken(token));
      const now = deps.clock();
      if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= now) throw authErrors.invitationInvalid();
      const organisation = await organisationsRepository.findOrganisation(db, { kind: 'all' }, invitation.organisationId);
      return {
        email: invitation.email,
        name: invitation.name,
        roleLabel: ROLE_LABELS[invitation.role],
        organisationName: organisation?.name ?? '',
        expiresAt: invitation.expiresAt,
      };
    },

    /** Creates the account from an open invitation; the invitation can be used once, even under concurrent submits. */
    async acceptInvitation(token: string, input: { name: string; password: string }): Promise<{ userId: string }> {
      const passwordHash = await hashPassword(input.password);
      try {
        return await db.transaction(async (tx) => {
          const invitation = await authRepository.findInvitationByTokenHash(tx, hashEmailToken(token));
          if (!invitation || !(await authRepository.markInvitationAccepted(tx, invitation.id, deps.clock()))) throw authErrors.invitationInvalid();
          const user = await usersRepository.insertUser(tx, {
            organisationId: invitation.organisationId,
            email: invitation.email,
            name: input.name,
            role: invitation.role,
            passwordHash,
            lastSignInAt: deps.clock(),
          });
          return { userId: user.id };
        });
      } catch (err) {
        if (isUniqueViolation(err, 'users_email_key')) throw authErrors.invitationInvalid();
        throw err;
      }
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
