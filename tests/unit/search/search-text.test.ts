import { describe, expect, it } from '@jest/globals';
import { highlightText, queryWords, snippetOf } from '../../../search/query-text.js';
import { htmlToText } from '../../../search/sync/html-text.js';
import { quoteFilterValue } from '../../../search/engines/meilisearch.engine.js';
import { retryDelayMs } from '../../../search/sync/search-sync.js';

describe('queryWords', () => {
  it('keeps only lower-case letters and digits, so no query syntax survives', () => {
    expect(queryWords(`Cyber "a" OR 1=1 ') OR true -- x:* & !y | z`)).toEqual(['cyber', 'a', 'or', '1', 'true', 'x', 'y', 'z']);
    expect(queryWords('Müller Straße 2026')).toEqual(['müller', 'straße', '2026']);
    expect(queryWords('  --- ')).toEqual([]);
  });

  it('reads at most eight distinct words', () => {
    expect(queryWords('a b c d e f g h i j a')).toHaveLength(8);
  });
});

describe('highlightText', () => {
  it('marks words starting with a term and keeps every character of the text', () => {
    const parts = highlightText('Cyber-Security: <b>basics</b>', ['secur', 'basic']);
    expect(parts.map((p) => p.text).join('')).toBe('Cyber-Security: <b>basics</b>');
    expect(parts.filter((p) => p.match).map((p) => p.text)).toEqual(['Security', 'basics']);
  });

  it('marks nothing without terms', () => {
    expect(highlightText('Plain title', [])).toEqual([{ text: 'Plain title', match: false }]);
  });
});

describe('snippetOf', () => {
  it('cuts an excerpt around the first match in the first source that has one', () => {
    const body = `${'filler '.repeat(60)}the zebrafish discount ${'more '.repeat(60)}`;
    const parts = snippetOf(['A description without it.', body], ['zebrafish']);
    expect(parts[0]!.text).toMatch(/^… filler/);
    expect(parts.find((p) => p.match)?.text).toBe('zebrafish');
    expect(parts[parts.length - 1]!.text).toMatch(/more …$/);
    expect(parts.map((p) => p.text).join('').length).toBeLessThan(230);
  });

  it('falls back to the start of the description', () => {
    expect(snippetOf(['Short description.', 'body'], ['nothing'])).toEqual([{ text: 'Short description.', match: false }]);
    expect(snippetOf(['', ''], ['x'])).toEqual([]);
  });
});

describe('htmlToText', () => {
  it('drops scripts, styles, comments and tags, and decodes entities', () => {
    const html = `<html><head><style>p { color: red }</style><script>var secret = 1;</script></head>
      <body><!-- hidden note --><h1>Deal&nbsp;registration</h1><p>Fish &amp; chips &#8212; &#x263A; &unknown;</p><script>never()`;
    expect(htmlToText(html)).toBe('Deal registration Fish & chips — ☺ &unknown;');
  });
});

describe('quoteFilterValue', () => {
  it('turns any value into one double-quoted literal', () => {
    expect(quoteFilterValue('EMEA')).toBe('"EMEA"');
    expect(quoteFilterValue('EMEA" OR id EXISTS OR x = "')).toBe('"EMEA\\" OR id EXISTS OR x = \\""');
    expect(quoteFilterValue('back\\" OR 1')).toBe('"back\\\\\\" OR 1"');
  });
});

describe('retryDelayMs', () => {
  it('doubles from 2 seconds and stops at 10 minutes', () => {
    expect([1, 2, 3].map(retryDelayMs)).toEqual([2000, 4000, 8000]);
    expect(retryDelayMs(30)).toBe(600_000);
  });
});
