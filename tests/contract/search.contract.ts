import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SearchDocument, SearchEngine, SearchQuery, SearchResult, SearchViewer } from '../../search/search.types.js';

export interface SearchEngineUnderTest {
  engine: SearchEngine;
  cleanup: () => Promise<void>;
}

const NOW = new Date('2026-06-01T12:00:00Z');
const VENDOR: SearchViewer = { kind: 'vendor' };
/** A platinum distributor in EMEA. */
const PARTNER: SearchViewer = { kind: 'partner', partnerType: 'distributor', tierId: 'tier-platinum', region: 'EMEA' };
const BARE_PARTNER: SearchViewer = { kind: 'partner', partnerType: null, tierId: null, region: null };

let counter = 0;
function doc(fields: Partial<SearchDocument> & Pick<SearchDocument, 'title'>): SearchDocument {
  const kind = fields.kind ?? 'asset';
  const entityId = `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  return {
    id: `${kind}:${entityId}`,
    kind,
    entityId,
    description: '',
    tags: [],
    managedTags: [],
    body: '',
    category: kind === 'course' ? 'course' : 'other',
    format: kind === 'course' ? 'scorm' : 'pdf',
    language: 'en',
    visiblePartnerTypes: [],
    visibleTierIds: [],
    visibleRegions: [],
    published: true,
    expiresAt: null,
    createdAt: `2026-01-${String(counter).padStart(2, '0')}T00:00:00Z`,
    popularity: 0,
    ...fields,
  };
}

/** The corpus: items partners may see, decoys sharing words, and items hidden from the test partner in every way. */
const D = {
  cyber: doc({ title: 'Cyber Security Essentials', description: 'Protect your customers from modern threats.', tags: ['security', 'training'], managedTags: ['product_line:Firewall'], category: 'presentation', format: 'pdf', popularity: 5 }),
  onboarding: doc({ kind: 'course', title: 'Partner Onboarding Guide', description: 'Your first week in the programme.', body: 'Welcome to the partner programme. This lesson explains deal registration.', popularity: 50 }),
  cloud: doc({ title: 'Secure Cloud Storage Datasheet', description: 'How cyber insurers rate the security of cloud storage.', tags: ['cloud'], managedTags: ['product_line:Cloud'], category: 'datasheet', format: 'pdf', language: 'de', popularity: 10 }),
  checklist: doc({ title: 'Onboarding checklist for new hires', description: 'Internal hiring steps.', body: 'Every partner manager reviews this list.', category: 'presentation', format: 'pptx', popularity: 1 }),
  pricing: doc({ title: 'Quarterly Pricing Sheet', description: 'List prices for the quarter.', body: 'Appendix: the zebrafish discount applies to renewals only.', category: 'datasheet', format: 'pdf', popularity: 30 }),
  resellerOnly: doc({ title: 'Reseller Margin Playbook', description: 'Margins by deal size.', body: 'quokka programme details', visiblePartnerTypes: ['reseller'], category: 'whitepaper' }),
  goldOnly: doc({ title: 'Gold Tier Incentives', description: 'Incentives for gold partners.', visibleTierIds: ['tier-gold'], category: 'brochure' }),
  apacOnly: doc({ title: 'APAC Launch Kit', description: 'Launch material for Asia Pacific.', visibleRegions: ['APAC'], category: 'brochure' }),
  expired: doc({ title: 'Expired Promotion Flyer', description: 'Spring promotion.', expiresAt: '2026-03-01T00:00:00Z', category: 'brochure' }),
  draft: doc({ kind: 'course', title: 'Draft Kubernetes Course', description: 'Containers from scratch.', published: false }),
  secret: doc({ title: 'Confidential Roadmap Zanzibar', description: 'Next year.', body: 'zanzibar platform', visiblePartnerTypes: ['reseller'], visibleRegions: ['EMEA'] }),
};
const ALL = Object.values(D);
const PARTNER_VISIBLE = [D.cyber, D.onboarding, D.cloud, D.checklist, D.pricing];
const HIDDEN_FROM_PARTNER = ALL.filter((d) => !PARTNER_VISIBLE.includes(d));

/**
 * The behaviour every search engine must share. Each engine's test calls this with a factory for an empty index.
 */
export function describeSearchContract(name: string, makeEngine: () => Promise<SearchEngineUnderTest>): void {
  describe(`Search contract: ${name}`, () => {
    let engine!: SearchEngine;
    let cleanup: (() => Promise<void>) | undefined;

    const search = (q: Partial<SearchQuery> & { viewer: SearchViewer }): Promise<SearchResult> =>
      engine.search({ text: '', now: NOW, filters: {}, sort: 'relevance', page: 1, pageSize: 20, ...q });
    const ids = (r: SearchResult) => r.hits.map((h) => h.id);
    const countsOf = (r: SearchResult, facet: keyof SearchResult['facets']) => Object.fromEntries(r.facets[facet].map((f) => [f.value, f.count]));
    const joined = (parts: { text: string }[]) => parts.map((p) => p.text).join('');
    const matchedWords = (parts: { text: string; match: boolean }[]) => parts.filter((p) => p.match).map((p) => p.text.toLowerCase());

    beforeAll(async () => {
      ({ engine, cleanup } = await makeEngine());
      await engine.setup();
      await engine.clear();
      await engine.upsert(ALL);
    });

    afterAll(async () => {
      await engine?.close();
      await cleanup?.();
    });

    describe('typo tolerance and prefixes', () => {
      it.each([
        ['cyber secuirty', D.cyber],
        ['partnr onbording', D.onboarding],
        ['cyber security', D.cyber],
        ['onbording guide', D.onboarding],
      ])('"%s" finds the right item first', async (text, expected) => {
        for (const viewer of [VENDOR, PARTNER]) {
          const result = await search({ viewer, text });
          expect(result.hits[0]?.id).toBe(expected.id);
        }
      });

      it('matches words as they are being typed (prefixes)', async () => {
        expect(ids(await search({ viewer: PARTNER, text: 'onboa' }))).toContain(D.onboarding.id);
        expect(ids(await search({ viewer: PARTNER, text: 'Quarterly Pric' }))[0]).toBe(D.pricing.id);
      });

      it('finds words that occur only in the text inside the file or package', async () => {
        expect(ids(await search({ viewer: PARTNER, text: 'zebrafish' }))).toEqual([D.pricing.id]);
        expect(ids(await search({ viewer: PARTNER, text: 'deal registration' }))).toEqual([D.onboarding.id]);
      });

      it('finds nothing for words that occur nowhere', async () => {
        const result = await search({ viewer: VENDOR, text: 'xylophone' });
        expect(result.total).toBe(0);
        expect(result.hits).toEqual([]);
      });
    });

    describe('highlights', () => {
      it('marks the matched words of the title, corrected ones included, and keeps the title intact', async () => {
        const [hit] = (await search({ viewer: PARTNER, text: 'cyber secuirty' })).hits;
        expect(joined(hit!.titleHighlight)).toBe('Cyber Security Essentials');
        expect(matchedWords(hit!.titleHighlight)).toEqual(['cyber', 'security']);
      });

      it('gives a snippet around a match in the file text', async () => {
        const [hit] = (await search({ viewer: PARTNER, text: 'zebrafish' })).hits;
        expect(matchedWords(hit!.snippet)).toContain('zebrafish');
        expect(joined(hit!.snippet)).toContain('discount');
      });
    });

    describe('facets and filters', () => {
      it('counts every facet over what the viewer may see', async () => {
        const vendor = await search({ viewer: VENDOR });
        expect(vendor.total).toBe(ALL.length);
        expect(countsOf(vendor, 'kind')).toEqual({ asset: 9, course: 2 });

        const partner = await search({ viewer: PARTNER });
        expect(partner.total).toBe(PARTNER_VISIBLE.length);
        expect(countsOf(partner, 'kind')).toEqual({ asset: 4, course: 1 });
        expect(countsOf(partner, 'format')).toEqual({ pdf: 3, pptx: 1, scorm: 1 });
        expect(countsOf(partner, 'category')).toEqual({ presentation: 2, datasheet: 2, course: 1 });
        expect(countsOf(partner, 'language')).toEqual({ en: 4, de: 1 });
        expect(countsOf(partner, 'tags')).toEqual({ security: 1, training: 1, cloud: 1 });
        expect(countsOf(partner, 'managedTags')).toEqual({ 'product_line:Firewall': 1, 'product_line:Cloud': 1 });
      });

      it('ORs values within a facet and ANDs facets', async () => {
        const pdf = await search({ viewer: PARTNER, filters: { format: ['pdf'] } });
        expect(ids(pdf).sort()).toEqual([D.cyber.id, D.cloud.id, D.pricing.id].sort());
        const pdfOrScorm = await search({ viewer: PARTNER, filters: { format: ['pdf', 'scorm'] } });
        expect(pdfOrScorm.total).toBe(4);
        const pdfInGerman = await search({ viewer: PARTNER, filters: { format: ['pdf'], language: ['de'] } });
        expect(ids(pdfInGerman)).toEqual([D.cloud.id]);
        expect(ids(await search({ viewer: PARTNER, filters: { managedTags: ['product_line:Firewall'] } }))).toEqual([D.cyber.id]);
        expect(ids(await search({ viewer: PARTNER, filters: { tags: ['cloud'], kind: ['asset'] } }))).toEqual([D.cloud.id]);
      });

      it("counts a facet without its own selection, and the others with it", async () => {
        const result = await search({ viewer: PARTNER, filters: { format: ['pdf'] } });
        expect(countsOf(result, 'format')).toEqual({ pdf: 3, pptx: 1, scorm: 1 });
        expect(countsOf(result, 'language')).toEqual({ en: 2, de: 1 });
        expect(countsOf(result, 'kind')).toEqual({ asset: 3 });
      });

      it('combines text and filters', async () => {
        const result = await search({ viewer: PARTNER, text: 'security', filters: { language: ['de'] } });
        expect(ids(result)).toEqual([D.cloud.id]);
        expect(countsOf(result, 'language')).toEqual({ en: 1, de: 1 });
      });
    });

    describe('sorting and pagination', () => {
      it('sorts by newest and by popularity', async () => {
        const newest = await search({ viewer: PARTNER, sort: 'newest' });
        expect(ids(newest)).toEqual([...PARTNER_VISIBLE].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((d) => d.id));
        const popular = await search({ viewer: PARTNER, sort: 'popular' });
        expect(ids(popular)).toEqual([...PARTNER_VISIBLE].sort((a, b) => b.popularity - a.popularity).map((d) => d.id));
      });

      it('pages through everything exactly once, with the same total on every page', async () => {
        const seen: string[] = [];
        for (const page of [1, 2, 3]) {
          const result = await search({ viewer: VENDOR, sort: 'newest', page, pageSize: 4 });
          expect(result.total).toBe(ALL.length);
          expect(result.hits.length).toBe(page < 3 ? 4 : 3);
          seen.push(...ids(result));
        }
        expect(new Set(seen).size).toBe(ALL.length);
        const beyond = await search({ viewer: VENDOR, sort: 'newest', page: 9, pageSize: 4 });
        expect(beyond.hits).toEqual([]);
        expect(beyond.total).toBe(ALL.length);
      });
    });

    describe('visibility', () => {
      it('never returns, counts or suggests an item hidden from the partner', async () => {
        for (const hidden of HIDDEN_FROM_PARTNER) {
          const result = await search({ viewer: PARTNER, text: hidden.title });
          expect(ids(result)).not.toContain(hidden.id);
          expect(await engine.suggest(hidden.title.slice(0, 6), PARTNER, NOW, 10)).not.toContain(hidden.title);
          // The vendor's staff find each of them by title.
          expect(ids(await search({ viewer: VENDOR, text: hidden.title }))[0]).toBe(hidden.id);
        }
        expect(await search({ viewer: PARTNER, text: 'quokka' })).toMatchObject({ total: 0, hits: [] });
        const facetTotal = (await search({ viewer: PARTNER, text: 'zanzibar' })).facets.kind.reduce((n, f) => n + f.count, 0);
        expect(facetTotal).toBe(0);
      });

      it('applies each visibility dimension: partner type, tier, region, expiry, publication', async () => {
        const reseller: SearchViewer = { kind: 'partner', partnerType: 'reseller', tierId: 'tier-gold', region: 'APAC' };
        const found = ids(await search({ viewer: reseller, pageSize: 50 }));
        expect(found).toEqual(expect.arrayContaining([D.resellerOnly.id, D.goldOnly.id, D.apacOnly.id]));
        expect(found).not.toContain(D.secret.id); // reseller, but not in EMEA
        expect(found).not.toContain(D.expired.id);
        expect(found).not.toContain(D.draft.id);
        // Before its expiry the flyer is visible.
        expect(ids(await search({ viewer: PARTNER, text: 'promotion flyer', now: new Date('2026-02-01T00:00:00Z') }))).toEqual([D.expired.id]);
      });

      it('shows vendor staff who do not manage content every live item, but no drafts or expired ones', async () => {
        const staff: SearchViewer = { kind: 'vendor', liveOnly: true };
        const found = ids(await search({ viewer: staff, pageSize: 50 })).sort();
        expect(found).toEqual(ALL.filter((d) => d !== D.expired && d !== D.draft).map((d) => d.id).sort());
        expect(await engine.suggest('Draft Kub', staff, NOW, 10)).not.toContain(D.draft.title);
      });

      it('shows a partner without type, tier or region only unrestricted items', async () => {
        const result = await search({ viewer: BARE_PARTNER, pageSize: 50 });
        expect(ids(result).sort()).toEqual(PARTNER_VISIBLE.map((d) => d.id).sort());
      });

      it('suggests titles of visible items only, typo tolerant', async () => {
        expect(await engine.suggest('onbording', PARTNER, NOW, 5)).toContain('Partner Onboarding Guide');
        expect(await engine.suggest('partner onbord', PARTNER, NOW, 5)).toContain('Partner Onboarding Guide');
        expect(await engine.suggest('zanz', PARTNER, NOW, 5)).toEqual([]);
        expect(await engine.suggest('zanz', VENDOR, NOW, 5)).toEqual(['Confidential Roadmap Zanzibar']);
        expect(await engine.suggest('reseller marg', PARTNER, NOW, 5)).toEqual([]);
      });

      it.each([
        ['"a" OR 1=1'],
        ["') OR true --"],
        ['visibleRegions = EMEA OR id EXISTS'],
        ['reseller" OR published = false OR title = "'],
        ['*'],
        ['quokka | zanzibar & !x'],
      ])('cannot widen what a partner sees through the text %s', async (text) => {
        const result = await search({ viewer: PARTNER, text, pageSize: 50 });
        const visible = new Set(PARTNER_VISIBLE.map((d) => d.id));
        expect(ids(result).every((id) => visible.has(id))).toBe(true);
        expect(result.facets.kind.reduce((n, f) => n + f.count, 0)).toBeLessThanOrEqual(PARTNER_VISIBLE.length);
        for (const s of await engine.suggest(text, PARTNER, NOW, 10)) expect(PARTNER_VISIBLE.map((d) => d.title)).toContain(s);
      });

      it.each([
        [{ format: ['pdf" OR published = false OR format = "x'] }],
        [{ language: ["') OR true --"] }],
        [{ kind: ['asset" OR kind EXISTS OR kind = "'] }],
        [{ tags: ['x"] OR visibleRegions = "APAC" OR tags IN ["y'] }],
        [{ managedTags: ["product_line:Firewall' OR '1'='1"] }],
      ])('treats filter values as literals: %j matches nothing', async (filters) => {
        for (const viewer of [VENDOR, PARTNER]) expect(await search({ viewer, filters })).toMatchObject({ total: 0, hits: [] });
      });
    });

    describe('keeping the index current', () => {
      it('replaces a document on upsert and forgets removed ones', async () => {
        const renamed = { ...D.checklist, title: 'Welcome pack for new hires' };
        await engine.upsert([renamed]);
        expect(ids(await search({ viewer: PARTNER, text: 'welcome pack' }))).toEqual([D.checklist.id]);
        expect(ids(await search({ viewer: PARTNER, text: 'checklist' }))).toEqual([]);
        await engine.remove([D.checklist.id]);
        expect(ids(await search({ viewer: PARTNER, text: 'welcome pack' }))).toEqual([]);
        expect(await engine.count()).toBe(ALL.length - 1);
        // Visibility changes take effect on upsert.
        await engine.upsert([{ ...D.pricing, visibleRegions: ['APAC'] }]);
        expect(ids(await search({ viewer: PARTNER, text: 'zebrafish' }))).toEqual([]);
        await engine.upsert([D.pricing, D.checklist]);
        expect(ids(await search({ viewer: PARTNER, text: 'zebrafish' }))).toEqual([D.pricing.id]);
      });

      it('clear empties the index', async () => {
        await engine.clear();
        expect(await engine.count()).toBe(0);
        expect((await search({ viewer: VENDOR })).total).toBe(0);
        await engine.upsert(ALL);
        expect(await engine.count()).toBe(ALL.length);
      });
    });
  });
}
