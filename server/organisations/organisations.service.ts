import { followOrganisationChange } from '../../courses/gamification/gamification.service.js';
import type { AppDeps } from '../app-deps.js';
import type { Actor } from '../tenancy/actor.js';
import { canPerform, canPerformOn, scopeFor } from '../tenancy/policy.js';
import { httpErrors } from '../http/http.errors.js';
import { organisationsErrors } from './organisations.errors.js';
import { isUniqueViolation } from '../db/db.errors.js';
import type { PartnerType } from './organisations.table.js';
import * as organisationsRepository from './organisations.repository.js';
import * as usersRepository from '../users/users.repository.js';
import * as authRepository from '../auth/auth.repository.js';
import * as cobrandingRepository from '../../assets/cobranding/cobranding.repository.js';

export const ORGANISATIONS_PAGE_SIZE = 50;

export interface OrganisationDetailsInput {
  name: string;
  slug: string;
  partnerType: PartnerType;
  tierId: string;
  region: string;
  country: string;
  website?: string | undefined;
}

export type VendorDetailsInput = Omit<OrganisationDetailsInput, 'partnerType' | 'tierId'>;

export interface BrandingInput {
  website?: string | undefined;
  brandPrimaryColor?: string | undefined;
  brandSecondaryColor?: string | undefined;
  contactName?: string | undefined;
  contactEmail?: string | undefined;
  contactPhone?: string | undefined;
}

export function createOrganisationsService(deps: Pick<AppDeps, 'database' | 'clock' | 'storage' | 'logger'>) {
  const { db } = deps.database;

  async function loadVisible(actor: Actor, id: string) {
    const organisation = await organisationsRepository.findOrganisation(db, scopeFor(actor), id);
    if (!organisation) throw httpErrors.notFound('organisation');
    return organisation;
  }

  async function assertTierExists(tierId: string) {
    if (!(await organisationsRepository.findTier(db, tierId))) throw organisationsErrors.tierUnknown();
  }

  /** Files of renders whose rows are gone (after commit); a failure leaves an orphan file, never a served stale one. */
  async function deleteStoredRenders(keys: readonly string[]) {
    for (const key of keys) {
      await deps.storage.deletePrefix(key).catch((err: unknown) => deps.logger.warn({ err, storageKey: key }, 'could not delete a co-branded render'));
    }
  }

  function translateUnique(err: unknown, slug: string): never {
    if (isUniqueViolation(err, 'organisations_slug_key')) throw organisationsErrors.slugTaken(slug);
    throw err;
  }

  return {
    async listOrganisations(actor: Actor, filter: { q?: string; partnerType?: PartnerType; tierId?: string; page: number }) {
      const result = await organisationsRepository.listOrganisations(db, scopeFor(actor), {
        ...filter,
        limit: ORGANISATIONS_PAGE_SIZE,
        offset: (filter.page - 1) * ORGANISATIONS_PAGE_SIZE,
      });
      return { ...result, page: filter.page, pageSize: ORGANISATIONS_PAGE_SIZE };
    },

    async getOrganisation(actor: Actor, id: string) {
      const organisation = await loadVisible(actor, id);
      const target = { organisationId: organisation.id, organisationKind: organisation.kind };
      const mayListUsers = canPerformOn(actor, 'user.view', target) && canPerform(actor, 'user.list');
      const mayInvite = canPerformOn(actor, 'user.invite', target);
      const [members, invitations] = await Promise.all([
        mayListUsers ? usersRepository.listUsers(db, scopeFor(actor), { organisationId: organisation.id, limit: 200, offset: 0 }) : null,
        mayInvite ? authRepository.listInvitationsOfOrganisation(db, organisation.id) : null,
      ]);
      return {
        organisation,
        members,
        invitations,
        permissions: {
          mayUpdate: canPerformOn(actor, 'organisation.update', target),
          mayUpdateBranding: canPerformOn(actor, 'organisation.updateBranding', target),
          mayInvite,
          mayListUsers,
        },
      };
    },

    /** For edit forms: the row, after the same visibility and permission checks as the update. */
    async getForUpdate(actor: Actor, id: string, action: 'organisation.update' | 'organisation.updateBranding') {
      const organisation = await loadVisible(actor, id);
      if (!canPerformOn(actor, action, { organisationId: organisation.id, organisationKind: organisation.kind })) throw httpErrors.forbidden();
      return organisation;
    },

    async createPartnerOrganisation(actor: Actor, input: OrganisationDetailsInput) {
      if (!canPerform(actor, 'organisation.create')) throw httpErrors.forbidden();
      await assertTierExists(input.tierId);
      try {
        return await organisationsRepository.insertOrganisation(db, { ...input, kind: 'partner', website: input.website ?? null });
      } catch (err) {
        translateUnique(err, input.slug);
      }
    },

    /** The vendor organisation has no partner type or tier; partners must have both. */
    async updateOrganisation(actor: Actor, id: string, input: OrganisationDetailsInput | VendorDetailsInput) {
      const organisation = await this.getForUpdate(actor, id, 'organisation.update');
      const common = { name: input.name, slug: input.slug, region: input.region, country: input.country, website: input.website ?? null };
      let values: Partial<typeof common & { partnerType: PartnerType; tierId: string }> = common;
      if (organisation.kind === 'partner') {
        if (!('tierId' in input)) throw organisationsErrors.tierUnknown();
        await assertTierExists(input.tierId);
        values = { ...common, partnerType: input.partnerType, tierId: input.tierId };
      }
      // The name and website are printed on co-branded files: changing them is a branding change too.
      const brandingChanged = values.name !== organisation.name || values.website !== organisation.website;
      try {
        const { updated, staleKeys } = await db.transaction(async (tx) => {
          const changed = brandingChanged
            ? await cobrandingRepository.updateBrandingAndBumpVersion(tx, organisation.id, values)
            : await organisationsRepository.updateOrganisation(tx, organisation.id, values);
          await followOrganisationChange(tx, organisation.id);
          return { updated: changed, staleKeys: brandingChanged ? await cobrandingRepository.deleteRendersOfOrganisation(tx, organisation.id) : [] };
        });
        await deleteStoredRenders(staleKeys);
        return updated;
      } catch (err) {
        translateUnique(err, input.slug);
      }
    },

    /**
     * Saves branding fields. A real change moves the organisation to the next branding version and deletes its
     * co-branded renders in the same transaction (their files after commit), so no download shows old details.
     */
    async updateBranding(actor: Actor, id: string, input: BrandingInput) {
      const organisation = await this.getForUpdate(actor, id, 'organisation.updateBranding');
      const nullIfEmpty = (v: string | undefined) => v ?? null;
      const values = {
        website: nullIfEmpty(input.website),
        brandPrimaryColor: nullIfEmpty(input.brandPrimaryColor),
        brandSecondaryColor: nullIfEmpty(input.brandSecondaryColor),
        contactName: nullIfEmpty(input.contactName),
        contactEmail: nullIfEmpty(input.contactEmail),
        contactPhone: nullIfEmpty(input.contactPhone),
      };
      if ((Object.keys(values) as (keyof typeof values)[]).every((key) => organisation[key] === values[key])) return organisation;
      const { updated, staleKeys } = await db.transaction(async (tx) => ({
        updated: await cobrandingRepository.updateBrandingAndBumpVersion(tx, organisation.id, values),
        staleKeys: await cobrandingRepository.deleteRendersOfOrganisation(tx, organisation.id),
      }));
      await deleteStoredRenders(staleKeys);
      return updated;
    },

    async listTiers() {
      return organisationsRepository.listTiers(db);
    },

    async createTier(actor: Actor, input: { key: string; name: string; rank: number }) {
      if (!canPerform(actor, 'tier.manage')) throw httpErrors.forbidden();
      try {
        return await organisationsRepository.insertTier(db, input);
      } catch (err) {
        if (isUniqueViolation(err)) throw organisationsErrors.tierKeyTaken(input.key);
        throw err;
      }
    },

    async updateTier(actor: Actor, id: string, input: { name: string; rank: number }) {
      if (!canPerform(actor, 'tier.manage')) throw httpErrors.forbidden();
      const tier = await organisationsRepository.updateTier(db, id, input);
      if (!tier) throw httpErrors.notFound('tier');
      return tier;
    },

    async deleteTier(actor: Actor, id: string) {
      if (!canPerform(actor, 'tier.manage')) throw httpErrors.forbidden();
      await db.transaction(async (tx) => {
        const inUse = await organisationsRepository.countOrganisationsInTier(tx, id);
        if (inUse > 0) throw organisationsErrors.tierInUse(inUse);
        if (!(await organisationsRepository.deleteTier(tx, id))) throw httpErrors.notFound('tier');
      });
    },
  };
}

export type OrganisationsService = ReturnType<typeof createOrganisationsService>;
