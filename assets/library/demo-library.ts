import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import sharp from 'sharp';
import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { users } from '../../server/users/users.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import { createLibraryService } from './library.service.js';
import type { UploadFieldsInput } from './library.schema.js';

/** Wraps text to a width and draws it; returns the y below the last line. */
function paragraph(page: PDFPage, font: PDFFont, text: string, x: number, y: number, size: number, width: number): number {
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width) {
      page.drawText(line, { x, y, size, font, color: rgb(0.15, 0.17, 0.22) });
      y -= size * 1.45;
      line = word;
    } else line = next;
  }
  if (line) page.drawText(line, { x, y, size, font, color: rgb(0.15, 0.17, 0.22) });
  return y - size * 2.2;
}

async function brochurePdf(title: string, subtitle: string, paragraphs: readonly string[], colour: [number, number, number]): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.setTitle(title);
  const [regular, bold] = [await document.embedFont(StandardFonts.Helvetica), await document.embedFont(StandardFonts.HelveticaBold)];
  const page = document.addPage([595, 842]);
  page.drawRectangle({ x: 0, y: 602, width: 595, height: 240, color: rgb(...colour) });
  page.drawText('NORTHWIND SOFTWARE', { x: 48, y: 790, size: 11, font: bold, color: rgb(1, 1, 1) });
  page.drawText(title, { x: 48, y: 690, size: 34, font: bold, color: rgb(1, 1, 1) });
  page.drawText(subtitle, { x: 48, y: 655, size: 15, font: regular, color: rgb(0.92, 0.93, 1) });
  let y = 560;
  for (const text of paragraphs) y = paragraph(page, regular, text, 48, y, 12, 499);
  page.drawRectangle({ x: 48, y: 60, width: 499, height: 1, color: rgb(0.8, 0.82, 0.88) });
  page.drawText('northwind.example/partners', { x: 48, y: 40, size: 10, font: regular, color: rgb(0.4, 0.42, 0.5) });
  return Buffer.from(await document.save());
}

async function bannerPng(headline: string, from: string, to: string): Promise<Buffer> {
  // Shapes only: text in an SVG would depend on the machine's fonts.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="400"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs><rect width="1200" height="400" fill="url(#g)"/><circle cx="1020" cy="200" r="150" fill="#ffffff" fill-opacity="0.15"/><circle cx="1080" cy="120" r="70" fill="#ffffff" fill-opacity="0.2"/><rect x="80" y="150" width="${Math.min(700, headline.length * 22)}" height="36" rx="6" fill="#ffffff" fill-opacity="0.9"/><rect x="80" y="210" width="420" height="20" rx="6" fill="#ffffff" fill-opacity="0.6"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const LOGO_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240"><rect width="240" height="240" rx="48" fill="#3340b8"/><path d="M60 170V70h24l56 68V70h24v100h-24L84 102v68z" fill="#fff"/></svg>',
);

/**
 * A populated library for a first start: a managed tag group, PDF brochures with real text, a banner, a logo, one
 * asset for distributors only. Goes through the library service, so previews, text and search rows are real.
 * Does nothing when there is no enablement manager (the demo organisations were not seeded).
 */
export async function seedDemoLibrary(deps: Pick<AppDeps, 'database' | 'storage' | 'renderPool' | 'clock' | 'logger'>): Promise<number> {
  const { db } = deps.database;
  const [row] = await db
    .select({ user: users, organisation: organisations })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.email, 'enablement@vendor.test'));
  if (!row) return 0;
  const actor: Actor = {
    userId: row.user.id,
    organisationId: row.organisation.id,
    organisationKind: row.organisation.kind,
    organisationName: row.organisation.name,
    role: row.user.role,
    name: row.user.name,
    email: row.user.email,
  };
  const library = createLibraryService(deps);
  await library.createTagGroup(actor, 'Product line');
  const group = (await library.listTagGroups()).find((g) => g.key === 'product_line')!;
  const tag = new Map<string, string>();
  for (const label of ['Firewall', 'Cloud Backup', 'Endpoint Security']) tag.set(label, (await library.addTag(actor, group.id, label)).id);

  const fields = (values: Partial<UploadFieldsInput> & Pick<UploadFieldsInput, 'title' | 'category'>): UploadFieldsInput => ({
    description: '',
    language: 'en',
    tags: [],
    managedTagIds: [],
    visiblePartnerTypes: [],
    visibleTierIds: [],
    visibleRegions: [],
    expiresAt: null,
    ...values,
  });
  const items: { name: string; bytes: Buffer; fields: UploadFieldsInput }[] = [
    {
      name: 'northwind-firewall-brochure.pdf',
      bytes: await brochurePdf('Northwind Firewall', 'Next-generation protection for growing businesses', [
        'Northwind Firewall inspects every connection at line rate, blocks intrusions before they reach your network and gives your team one clear view of every site.',
        'Deploy in minutes from the cloud console, apply policies by user and application, and keep branch offices safe without extra hardware.',
        'Partners earn deal registration protection and a 12% margin uplift on multi-year subscriptions.',
      ], [0.2, 0.25, 0.72]),
      fields: fields({ title: 'Northwind Firewall brochure', category: 'brochure', description: 'The customer-facing overview of Northwind Firewall: features, deployment and benefits.', tags: ['security', 'network'], managedTagIds: [tag.get('Firewall')!] }),
    },
    {
      name: 'cloud-backup-datasheet.pdf',
      bytes: await brochurePdf('Cloud Backup', 'Datasheet: specifications and editions', [
        'Cloud Backup protects servers, laptops and Microsoft 365 mailboxes with immutable, encrypted copies kept in two regions.',
        'Editions: Standard (30-day retention), Business (one year, legal hold) and Enterprise (unlimited retention, bring your own storage).',
        'Restore single files, mailboxes or whole machines; recovery tests run automatically every week.',
      ], [0.06, 0.43, 0.43]),
      fields: fields({ title: 'Cloud Backup datasheet', category: 'datasheet', tags: ['backup', 'specifications'], managedTagIds: [tag.get('Cloud Backup')!] }),
    },
    {
      name: 'distributor-programme-guide.pdf',
      bytes: await brochurePdf('Distributor Guide', 'Programme benefits for distribution partners', [
        'Distributors receive stock rotation rights, marketing development funds and a dedicated channel manager.',
        'Quarterly business reviews track enablement, pipeline and reseller recruitment.',
      ], [0.36, 0.16, 0.53]),
      fields: fields({ title: 'Distributor programme guide', category: 'whitepaper', visiblePartnerTypes: ['distributor'] }),
    },
    {
      name: 'endpoint-launch-banner.png',
      bytes: await bannerPng('Endpoint Security launch', '#9b1c4a', '#3340b8'),
      fields: fields({ title: 'Endpoint Security launch banner', category: 'banner', tags: ['launch', 'social'], managedTagIds: [tag.get('Endpoint Security')!] }),
    },
    { name: 'northwind-logo.svg', bytes: LOGO_SVG, fields: fields({ title: 'Northwind logo', category: 'logo', tags: ['brand'] }) },
  ];

  const dir = await mkdtemp(path.join(tmpdir(), 'pa-demo-library-'));
  try {
    for (const item of items) {
      const file = path.join(dir, item.name);
      await writeFile(file, item.bytes);
      await library.createAsset(actor, item.fields, { path: file, originalName: item.name });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return items.length;
}
