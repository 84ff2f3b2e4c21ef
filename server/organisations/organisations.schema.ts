import { z } from 'zod';
import { PARTNER_TYPES } from './organisations.table.js';
import { emailField, optionalText, pageQuery, requiredText } from '../http/common.schema.js';

export const REGIONS = ['North America', 'Latin America', 'EMEA', 'APAC'] as const;

export const PARTNER_TYPE_LABELS: Readonly<Record<(typeof PARTNER_TYPES)[number], string>> = {
  reseller: 'Reseller',
  distributor: 'Distributor',
  isv: 'ISV / technology',
  consultant: 'Consultant / SI',
  agency: 'Agency',
  referral: 'Referral',
};

const optionalUrl = z
  .string()
  .trim()
  .max(300)
  .optional()
  .transform((v) => (v ? v : undefined))
  .pipe(z.url({ protocol: /^https?$/, message: 'enter a web address starting with https://' }).optional());

const optionalColor = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v.toLowerCase() : undefined))
  .pipe(z.string().regex(/^#[0-9a-f]{6}$/, 'use a colour such as #1a73e8').optional());

export const organisationForm = z.object({
  name: requiredText('Name', 120),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'use 1-40 lower-case letters, digits and dashes, such as acme-systems'),
  partnerType: z.enum(PARTNER_TYPES, { message: 'choose a partner type' }),
  tierId: z.uuid({ message: 'choose a tier' }),
  region: z.enum(REGIONS, { message: 'choose a region' }),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'use the two-letter country code, such as DE or US'),
  website: optionalUrl,
});

/** The vendor's own organisation has no partner type or tier. */
export const vendorOrganisationForm = organisationForm.omit({ partnerType: true, tierId: true });

export const brandingForm = z.object({
  website: optionalUrl,
  brandPrimaryColor: optionalColor,
  brandSecondaryColor: optionalColor,
  contactName: optionalText(120),
  contactEmail: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(emailField.optional()),
  contactPhone: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.string().regex(/^[+()0-9 .-]{5,40}$/, 'use digits, spaces and + ( ) - only').optional()),
});

export const organisationListQuery = z.object({
  q: optionalText(100).catch(undefined),
  partnerType: z.enum(PARTNER_TYPES).optional().catch(undefined),
  tierId: z.uuid().optional().catch(undefined),
  page: pageQuery,
});

export const tierForm = z.object({
  key: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9_-]{1,30}$/, 'use 2-31 lower-case letters, digits, - or _'),
  name: requiredText('Name', 60),
  rank: z.coerce.number({ message: 'enter a number' }).int('enter a whole number').min(0).max(1000),
});

export const tierUpdateForm = tierForm.omit({ key: true });
