import { z } from 'zod';

/** Ids in URLs: anything that is not a UUID is treated as "no such row" (404), never passed to SQL. */
export const idParam = z.object({ id: z.uuid() });

export const pageQuery = z.coerce.number().int().min(1).max(10_000).catch(1);

/** Form fields arrive as strings; an empty field means "not given". */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((v) => (v ? v : undefined));

export const requiredText = (label: string, max: number) =>
  z.string({ message: `${label} is required` }).trim().min(1, `${label} is required`).max(max, `must be at most ${max} characters`);

export const emailField = z
  .string({ message: 'Email is required' })
  .trim()
  .min(1, 'Email is required')
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('enter an email address such as name@company.com'))
  .transform((v) => v.toLowerCase());

export const newPasswordField = z
  .string({ message: 'Password is required' })
  .min(10, 'use at least 10 characters')
  .max(200, 'use at most 200 characters');
