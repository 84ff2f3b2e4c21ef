import type { Executor } from '../../server/db/database.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform } from '../../server/tenancy/policy.js';
import type { AssetVersionRow } from '../library/library.table.js';
import { cobrandBlockerOf } from './cobranding.service.js';
import { findTemplate, listPartnerOrganisations } from './cobranding.repository.js';

/** How many partners vendor staff can pick from on the detail page; more than this and they use the organisation's id in the URL. */
const PARTNER_CHOICES = 500;

export interface CobrandActionsModel {
  assetId: string;
  /** The asset has a template and its current version can be co-branded: show download and preview. */
  available: boolean;
  /** The enablement team may set up or edit the template (the version is PDF/PNG/JPEG/WebP and not encrypted). */
  mayEdit: boolean;
  /** Vendor staff pick the partner whose branding to try; null for partner users (their own organisation). */
  partners: { id: string; name: string }[] | null;
}

/**
 * The view-model of views/partials/asset-cobrand-actions.hbs for the asset detail page. The caller has already
 * checked that the actor may see the asset (it passes the asset it loaded for the page).
 */
export async function cobrandActionsFor(db: Executor, actor: Actor, asset: { id: string }, version: Pick<AssetVersionRow, 'format' | 'cobrandBlocker'>): Promise<CobrandActionsModel> {
  const cobrandable = cobrandBlockerOf(version) === null;
  const template = cobrandable ? await findTemplate(db, asset.id) : null;
  const available = template !== null;
  return {
    assetId: asset.id,
    available,
    mayEdit: cobrandable && canPerform(actor, 'asset.manage'),
    partners: available && actor.organisationKind === 'vendor' ? await listPartnerOrganisations(db, PARTNER_CHOICES) : null,
  };
}
