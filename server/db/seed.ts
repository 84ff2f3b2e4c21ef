import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';
import { hashPassword } from '../auth/password.js';
import { countOrganisations, insertOrganisation, insertTier } from '../organisations/organisations.repository.js';
import { insertUser } from '../users/users.repository.js';
import type { PartnerType } from '../organisations/organisations.table.js';
import type { UserRole } from '../users/users.table.js';

export const DEMO_TIERS = [
  { key: 'registered', name: 'Registered', rank: 0 },
  { key: 'silver', name: 'Silver', rank: 1 },
  { key: 'gold', name: 'Gold', rank: 2 },
  { key: 'platinum', name: 'Platinum', rank: 3 },
] as const;

export const DEMO_VENDOR = { slug: 'vendor', name: 'Northwind Software', region: 'EMEA', country: 'GB', website: 'https://northwind.example' } as const;

export const DEMO_PARTNERS = [
  { slug: 'acme', name: 'Acme Systems', partnerType: 'reseller', tier: 'gold', region: 'North America', country: 'US', website: 'https://acme.example' },
  { slug: 'globex', name: 'Globex Distribution', partnerType: 'distributor', tier: 'platinum', region: 'EMEA', country: 'DE', website: 'https://globex.example' },
  { slug: 'initech', name: 'Initech Consulting', partnerType: 'consultant', tier: 'silver', region: 'APAC', country: 'SG', website: 'https://initech.example' },
] as const satisfies readonly { slug: string; name: string; partnerType: PartnerType; tier: string; region: string; country: string; website: string }[];

const PEOPLE: Record<string, Partial<Record<UserRole, string>>> = {
  vendor: { vendor_admin: 'Avery Admin', enablement_manager: 'Elliot Enable' },
  acme: { partner_admin: 'Alex Carter', partner_rep: 'Riley Nguyen', partner_marketer: 'Morgan Diaz' },
  globex: { partner_admin: 'Greta Hoffmann', partner_rep: 'Jonas Weber', partner_marketer: 'Lena Fischer' },
  initech: { partner_admin: 'Priya Raman', partner_rep: 'Wei Lin Tan', partner_marketer: 'Arjun Mehta' },
};

const MAILBOX: Partial<Record<UserRole, string>> = {
  vendor_admin: 'admin',
  enablement_manager: 'enablement',
  partner_admin: 'admin',
  partner_rep: 'rep',
  partner_marketer: 'marketer',
};

export interface SeedResult {
  seeded: boolean;
  password?: string;
  passwordGenerated?: boolean;
  accounts: { email: string; role: UserRole; organisation: string }[];
}

/** Demo data for a first start: the vendor, three partners of different types, tiers and regions, and their people. */
export async function seedDemoData(db: Database, options: { password?: string | undefined }): Promise<SeedResult> {
  if ((await countOrganisations(db, 'vendor')) > 0) return { seeded: false, accounts: [] };
  const password = options.password ?? randomBytes(12).toString('base64url');
  const accounts: SeedResult['accounts'] = [];
  const planned: { slug: string; role: UserRole; name: string; email: string }[] = [];
  for (const [slug, people] of Object.entries(PEOPLE)) {
    for (const [role, name] of Object.entries(people) as [UserRole, string][]) planned.push({ slug, role, name, email: `${MAILBOX[role]}@${slug}.test` });
  }
  // Hash outside the transaction: scrypt is slow on purpose, and runs on the thread pool in parallel.
  const hashes = await Promise.all(planned.map(() => hashPassword(password)));

  await db.transaction(async (tx) => {
    const tiers = new Map<string, string>();
    for (const tier of DEMO_TIERS) tiers.set(tier.key, (await insertTier(tx, tier)).id);
    const organisationIds = new Map<string, string>();
    const vendor = await insertOrganisation(tx, { ...DEMO_VENDOR, kind: 'vendor', contactName: 'Partner Programme Team', contactEmail: 'partners@northwind.example' });
    organisationIds.set('vendor', vendor.id);
    for (const p of DEMO_PARTNERS) {
      const org = await insertOrganisation(tx, {
        slug: p.slug,
        name: p.name,
        kind: 'partner',
        partnerType: p.partnerType,
        tierId: tiers.get(p.tier)!,
        region: p.region,
        country: p.country,
        website: p.website,
      });
      organisationIds.set(p.slug, org.id);
    }
    for (const [i, person] of planned.entries()) {
      await insertUser(tx, { organisationId: organisationIds.get(person.slug)!, email: person.email, name: person.name, role: person.role, passwordHash: hashes[i]! });
      accounts.push({ email: person.email, role: person.role, organisation: person.slug });
    }
  });
  return { seeded: true, password, passwordGenerated: options.password === undefined, accounts };
}
