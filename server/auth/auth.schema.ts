import { z } from 'zod';
import { emailField, newPasswordField, requiredText } from '../http/common.schema.js';

/** Only same-site paths, so ?next= can never send someone to another site after sign-in. */
export const safeNextPath = z
  .string()
  .optional()
  .transform((v) => (v && /^\/(?![/\\])[^\s]*$/.test(v) ? v : '/'));

export const signInForm = z.object({
  email: emailField,
  password: z.string({ message: 'Password is required' }).min(1, 'Password is required').max(200),
  next: safeNextPath,
});

export const forgotPasswordForm = z.object({ email: emailField });

const passwordsMatch = (v: { password: string; confirmPassword: string }) => v.password === v.confirmPassword;
const mismatch = { message: 'does not match the password', path: ['confirmPassword'] };

export const resetPasswordForm = z.object({ password: newPasswordField, confirmPassword: z.string() }).refine(passwordsMatch, mismatch);
export const acceptInvitationForm = z
  .object({ name: requiredText('Name', 120), password: newPasswordField, confirmPassword: z.string() })
  .refine(passwordsMatch, mismatch);

export const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
