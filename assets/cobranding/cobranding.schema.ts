import { z } from 'zod';
import { idParam } from '../../server/http/common.schema.js';

export const logoParams = idParam.extend({ hash: z.string().regex(/^[0-9a-f]{64}$/) });

/** The page of the document the editor shows; anything unreadable means page 1. */
export const editorPageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });

/** The live preview: a page and the unsaved placements as JSON (a query parameter, so the preview is a plain image URL). */
export const draftPreviewQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
  placements: z.string().max(20_000).default('[]'),
});

/** Vendor staff pick the partner whose branding to try; partners always get their own. */
export const cobrandedQuery = z.object({ organisationId: z.uuid().optional().catch(undefined) });

const many = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));

/**
 * The editor's form without JavaScript: one fieldset per placement, each input name repeated once per fieldset,
 * so the n-th values of every name form the n-th placement. Buttons: save, add (one more field), remove=<index>.
 */
export const placementsForm = z.object({
  kind: many,
  page: many,
  x: many,
  y: many,
  width: many,
  height: many,
  fontSize: many,
  colour: many,
  align: many,
  add: z.string().optional(),
  remove: z.coerce.number().int().min(0).optional().catch(undefined),
});

export type PlacementsFormInput = z.output<typeof placementsForm>;

/** The n-th placement from the form's parallel lists: numbers where numbers are expected, page "all" or a number. */
export function placementsFromForm(form: PlacementsFormInput): Record<string, unknown>[] {
  const number = (value: string | undefined) => (value === undefined || value.trim() === '' ? Number.NaN : Number(value));
  return form.kind.map((kind, i) => {
    const page = (form.page[i] ?? '').trim().toLowerCase();
    return {
      kind,
      page: page === 'all' ? 'all' : number(page),
      box: { x: number(form.x[i]), y: number(form.y[i]), width: number(form.width[i]), height: number(form.height[i]) },
      fontSize: number(form.fontSize[i] ?? '12'),
      colour: (form.colour[i] ?? '#000000').trim(),
      align: form.align[i] ?? 'left',
    };
  });
}
