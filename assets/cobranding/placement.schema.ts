import { z } from 'zod';

/**
 * A placement template says where a partner's branding goes on a piece of collateral.
 *
 * Coordinates: every box is measured from the TOP-LEFT corner of the page (y grows downwards), because that
 * is how people read positions off a design tool. For PDFs the unit is the PDF point (1/72 inch) and the page
 * is its crop box (the visible area), unrotated; pdf-cobrand.ts converts to pdf-lib's bottom-left origin. For
 * images the unit is the pixel and `page` is ignored.
 */
export const placementBoxSchema = z.object({
  x: z.number().finite().nonnegative(),
  y: z.number().finite().nonnegative(),
  width: z.number().finite().positive(),
  height: z.number().finite().positive(),
});

export const placementFieldSchema = z.object({
  kind: z.enum(['logo', 'name', 'contact', 'qr']),
  /** 1-based page number, or every page. */
  page: z.union([z.number().int().min(1), z.literal('all')]),
  box: placementBoxSchema,
  /** The largest size text is drawn at; it shrinks from here until it fits the box. */
  fontSize: z.number().finite().min(6).max(200).default(12),
  colour: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a2b3c')
    .default('#000000'),
  align: z.enum(['left', 'center', 'right']).default('left'),
});

export const placementTemplateSchema = z.array(placementFieldSchema).min(1).max(50);

export type PlacementBox = z.infer<typeof placementBoxSchema>;
export type PlacementField = z.infer<typeof placementFieldSchema>;
/** What callers pass (defaults not yet applied), e.g. a template read back from the database. */
export type PlacementTemplateInput = z.input<typeof placementTemplateSchema>;
export type PlacementAlign = PlacementField['align'];

/** The organisation's branding drawn into the placements; every part is optional except the name. */
export interface Branding {
  name: string;
  contact: { person?: string; email?: string; phone?: string; website?: string };
  logoPng?: Uint8Array;
  qrUrl?: string;
}
