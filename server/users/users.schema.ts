import { z } from 'zod';
import { USER_ROLES } from './users.table.js';
import { emailField, newPasswordField, optionalText, pageQuery, requiredText } from '../http/common.schema.js';

const role = z.enum(USER_ROLES, { message: 'choose a role from the list' });

export const userListQuery = z.object({
  q: optionalText(100).catch(undefined),
  role: role.optional().catch(undefined),
  status: z.enum(['active', 'disabled']).optional().catch(undefined),
  organisationId: z.uuid().optional().catch(undefined),
  page: pageQuery,
});

export const inviteForm = z.object({
  organisationId: z.uuid({ message: 'choose an organisation' }),
  email: emailField,
  name: optionalText(120),
  role,
});

export const updateUserForm = z.object({
  role: role.optional(),
  status: z.enum(['active', 'disabled'], { message: 'choose active or disabled' }).optional(),
});

export const profileForm = z.object({ name: requiredText('Name', 120) });

export const changePasswordForm = z
  .object({ currentPassword: z.string().min(1, 'enter your current password'), password: newPasswordField, confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, { message: 'does not match the new password', path: ['confirmPassword'] });
