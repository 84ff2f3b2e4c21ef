import { z } from 'zod';
import { optionalText, requiredText } from '../../server/http/common.schema.js';
import { USER_ROLES } from '../../server/users/users.table.js';
import { isPublicId } from './certificate-status.js';

const isUuid = (v: string) => z.uuid().safeParse(v).success;

/** A multi-select arrives as nothing, one string or an array; checked as a whole so the message sits on the field. */
const uuidList = (message: string, what = 'courses') =>
  z
    .preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string(), { message }).max(100, `choose at most 100 ${what}`))
    .refine((values) => values.every(isUuid), { message })
    .transform((values) => [...new Set(values)]);

const wholeNumber = (label: string, min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ message: `${label} is required` })
      .min(1, `${label} is required`)
      .regex(/^\d+$/, 'enter a whole number')
      .transform(Number)
      .pipe(z.number().min(min, `enter at least ${min}`).max(max, `enter at most ${max}`)),
  );

const optionalUuid = (message: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || isUuid(v), message);

/**
 * The certification form. Requirements: any number of courses and learning paths, and optionally one exam course
 * with its passing score; at least one of them. Optionally a recertification path.
 */
export const certificationForm = z
  .object({
    name: requiredText('Name', 200),
    description: optionalText(5000).transform((v) => v ?? ''),
    courseIds: uuidList('choose courses from the list'),
    pathIds: uuidList('choose learning paths from the list', 'learning paths'),
    examCourseId: optionalUuid('choose an exam course from the list'),
    passingScore: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.unknown()),
    validityMonths: wholeNumber('Validity', 1, 120),
    recertWindowDays: wholeNumber('Recertification window', 0, 365),
    recertPathId: optionalUuid('choose a recertification path from the list'),
  })
  .transform((form, ctx) => {
    let passingScore: number | null = null;
    if (form.examCourseId !== null) {
      const parsed = wholeNumber('Passing score', 0, 100).safeParse(form.passingScore ?? '');
      if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['passingScore'], message: parsed.error.issues[0]!.message });
      else passingScore = parsed.data;
    }
    if (form.courseIds.length === 0 && form.pathIds.length === 0 && form.examCourseId === null) {
      ctx.addIssue({ code: 'custom', path: ['courseIds'], message: 'choose at least one course, learning path or exam' });
    }
    const { passingScore: _raw, ...rest } = form;
    return { ...rest, passingScore };
  });
export type CertificationInput = z.output<typeof certificationForm>;

export const revokeForm = z.object({
  reason: requiredText('A reason', 1000),
});

export const tierRequirementForm = z.object({
  tierId: z.string({ message: 'choose a tier' }).refine(isUuid, 'choose a tier'),
  certificationId: z.string({ message: 'choose a certification' }).refine(isUuid, 'choose a certification'),
  role: z.preprocess((v) => (v === undefined || v === '' ? null : v), z.enum(USER_ROLES, { message: 'choose a role from the list' }).nullable()),
  requiredCount: wholeNumber('Required count', 1, 10_000),
});
export type TierRequirementInput = z.output<typeof tierRequirementForm>;

export const publicIdParam = z.object({ publicId: z.string().refine(isPublicId) });

export const tierRequirementParams = z.object({ id: z.uuid() });
