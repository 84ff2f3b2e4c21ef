import { pgTable, pgEnum, uuid, text, integer, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';

export const organisationKind = pgEnum('organisation_kind', ['vendor', 'partner']);
export const partnerType = pgEnum('partner_type', ['reseller', 'distributor', 'isv', 'consultant', 'agency', 'referral']);

/** The vendor's editable list of partner tiers (registered, silver, gold, platinum...). rank orders them. */
export const partnerTiers = pgTable('partner_tiers', {
  id: uuid('id').primaryKey().defaultRandom(),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  rank: integer('rank').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    kind: organisationKind('kind').notNull(),
    partnerType: partnerType('partner_type'),
    tierId: uuid('tier_id').references(() => partnerTiers.id, { onDelete: 'restrict' }),
    region: text('region'),
    country: text('country'),
    website: text('website'),
    // Branding, used later to co-brand collateral.
    logoKey: text('logo_key'),
    brandPrimaryColor: text('brand_primary_color'),
    brandSecondaryColor: text('brand_secondary_color'),
    contactName: text('contact_name'),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    /** Pixel size of the normalised logo (a trimmed PNG), for placing it without decoding it. */
    logoWidth: integer('logo_width'),
    logoHeight: integer('logo_height'),
    /** Grows on every branding change: co-branded renders are cached per version, so old ones are never served. */
    brandingVersion: integer('branding_version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('organisations_slug_key').on(t.slug), index('organisations_kind_name_idx').on(t.kind, t.name), index('organisations_tier_idx').on(t.tierId)],
);

export type OrganisationRow = typeof organisations.$inferSelect;
export type NewOrganisationRow = typeof organisations.$inferInsert;
export type PartnerTierRow = typeof partnerTiers.$inferSelect;
export type PartnerType = (typeof partnerType.enumValues)[number];
export const PARTNER_TYPES = partnerType.enumValues;
