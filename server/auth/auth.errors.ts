import { AppError } from '../http/app-error.js';

export const authErrors = {
  invalidCredentials: () => new AppError('auth.invalid_credentials', 401, 'That email and password do not match an active account.'),
  throttled: (retryAfterSeconds: number) =>
    new AppError('auth.too_many_attempts', 429, `Too many failed sign-in attempts. Try again in ${Math.max(1, Math.ceil(retryAfterSeconds / 60))} minute(s), or reset your password.`, {
      retryAfterSeconds,
    }),
  invitationInvalid: () =>
    new AppError('auth.invitation_invalid', 410, 'This invitation link is invalid, has expired or was already used. Ask your administrator to send a new one.'),
  resetInvalid: () => new AppError('auth.reset_invalid', 410, 'This password reset link is invalid, has expired or was already used. Request a new one.'),
  emailTaken: (email: string) => new AppError('auth.email_taken', 409, `An account for ${email} already exists.`, { fields: { email: 'already has an account' } }),
  passwordMismatch: () => new AppError('auth.password_mismatch', 400, 'The two passwords do not match.', { fields: { confirmPassword: 'does not match' } }),
  currentPasswordWrong: () => new AppError('auth.current_password_wrong', 400, 'Your current password is not correct.', { fields: { currentPassword: 'is not correct' } }),
};
