import { describe, expect, it } from '@jest/globals';
import { svgSafetyProblem } from '../../../assets/files/svg-safety.js';
import { assetFields, uploadFields } from '../../../assets/library/library.schema.js';
import { fileSlug, titleFromFileName } from '../../../assets/library/library.service.js';

const SVG = 'xmlns="http://www.w3.org/2000/svg"';

describe('svgSafetyProblem', () => {
  it('accepts a plain drawing with local references and embedded bitmaps', () => {
    expect(svgSafetyProblem(`<svg ${SVG} xmlns:xlink="http://www.w3.org/1999/xlink"><defs><g id="a"/></defs><use xlink:href="#a"/><rect fill="url(#a)" style="fill: url('#a')"/><image href="data:image/png;base64,AAAA"/></svg>`)).toBeNull();
  });

  it.each([
    ['script in any case', `<svg ${SVG}><SCRIPT>x</SCRIPT></svg>`, /script/],
    ['namespaced script', `<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>x</s:script></s:svg>`, /script/],
    ['event handler on a child', `<svg ${SVG}><g><rect ONCLICK="x()"/></g></svg>`, /event handler/],
    ['foreignObject', `<svg ${SVG}><foreignObject/></svg>`, /foreignObject/],
    ['external href', `<svg ${SVG}><a href="https://example.com"><rect/></a></svg>`, /outside the drawing/],
    ['javascript: href', `<svg ${SVG}><a href="javascript:alert(1)"><rect/></a></svg>`, /outside the drawing/],
    ['file reference in use', `<svg ${SVG} xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="other.svg#a"/></svg>`, /outside the drawing/],
    ['external url() in a style element', `<svg ${SVG}><style>rect { fill: url(https://x.example/p) }</style></svg>`, /stylesheet/],
    ['@import in a style element', `<svg ${SVG}><style>@import "https://x.example/a.css";</style></svg>`, /stylesheet/],
    ['an SVG data: URL (could carry script)', `<svg ${SVG}><image href="data:image/svg+xml;base64,PHN2Zz4="/></svg>`, /outside the drawing/],
    ['a DOCTYPE', `<!DOCTYPE svg><svg ${SVG}/>`, /DOCTYPE/],
    ['broken XML', `<svg ${SVG}><rect></svg>`, /well-formed/],
    ['another root element', '<html xmlns="http://www.w3.org/1999/xhtml"/>', /root element/],
  ])('refuses %s', (_what, svg, problem) => {
    expect(svgSafetyProblem(svg)).toMatch(problem);
  });
});

describe('asset form fields', () => {
  const base = { title: 'Deck', category: 'presentation' };

  it('reads repeated fields, tags and an expiry date as the end of that day in UTC', () => {
    const parsed = assetFields.parse({ ...base, tags: 'a, B ,, b', visiblePartnerTypes: 'reseller', visibleRegions: ['EMEA', 'APAC'], expiresAt: '2027-03-31' });
    expect(parsed).toMatchObject({ tags: ['a', 'B'], visiblePartnerTypes: ['reseller'], visibleRegions: ['EMEA', 'APAC'], managedTagIds: [], language: 'en' });
    expect(parsed.expiresAt!.toISOString()).toBe('2027-03-31T23:59:59.000Z');
    expect(assetFields.parse({ ...base, expiresAt: '' }).expiresAt).toBeNull();
  });

  it.each([
    [{ category: 'poster' }, 'category'],
    [{ expiresAt: '2027-02-30' }, 'expiresAt'],
    [{ expiresAt: '31/03/2027' }, 'expiresAt'],
    [{ visibleRegions: 'Mars' }, 'visibleRegions'],
    [{ managedTagIds: 'not-a-uuid' }, 'managedTagIds'],
    [{ language: 'xx' }, 'language'],
  ])('refuses %j', (change, field) => {
    const result = assetFields.safeParse({ ...base, ...change });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path[0])).toContain(field);
  });

  it('lets an upload leave the title empty (taken from the file name) but not the edit form', () => {
    expect(uploadFields.parse({ category: 'other' }).title).toBeUndefined();
    expect(assetFields.safeParse({ category: 'other' }).success).toBe(false);
  });
});

describe('file names', () => {
  it('takes the title from the file name without its extension or folders', () => {
    expect(titleFromFileName('Q3 brochure.final.pdf')).toBe('Q3 brochure.final');
    expect(titleFromFileName('C:\\Users\\me\\banner.png')).toBe('banner');
    expect(titleFromFileName('.hidden')).toBe('.hidden');
  });

  it('makes ASCII download names', () => {
    expect(fileSlug('Café: Überblick 2027!')).toBe('cafe-uberblick-2027');
    expect(fileSlug('***')).toBe('asset');
  });
});
