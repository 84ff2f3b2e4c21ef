import type { HighlightPart } from './search.types.js';

/** Longest query the engines look at; longer input is cut, not refused. */
const MAX_WORDS = 8;

/**
 * The words of a query: lower-case runs of letters and digits. Everything else (quotes, operators, SQL or filter
 * syntax) is a separator, so words can be written into a tsquery without any way to change its structure.
 */
export function queryWords(text: string): string[] {
  const words = text.toLowerCase().normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((w) => w.slice(0, 40)))].slice(0, MAX_WORDS);
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Splits text into parts, marking each word that starts with one of `terms` (terms lower-case). */
export function highlightText(text: string, terms: readonly string[]): HighlightPart[] {
  const parts: HighlightPart[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase();
    if (!terms.some((t) => word.startsWith(t))) continue;
    if (m.index > last) parts.push({ text: text.slice(last, m.index), match: false });
    parts.push({ text: m[0], match: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), match: false });
  return mergeParts(parts);
}

function mergeParts(parts: HighlightPart[]): HighlightPart[] {
  const merged: HighlightPart[] = [];
  for (const part of parts) {
    const prev = merged[merged.length - 1];
    if (prev && prev.match === part.match && !part.match) prev.text += part.text;
    else merged.push({ ...part });
  }
  return merged;
}

const SNIPPET_CHARS = 200;

/**
 * A short excerpt around the first matching word of the first source that has one (description, then body),
 * or the start of the description when no source matches.
 */
export function snippetOf(sources: readonly string[], terms: readonly string[]): HighlightPart[] {
  for (const source of sources) {
    const text = source.replace(/\s+/g, ' ').trim();
    if (!text || terms.length === 0) continue;
    for (const m of text.matchAll(WORD)) {
      const word = m[0].toLowerCase();
      if (!terms.some((t) => word.startsWith(t))) continue;
      let start = Math.max(0, m.index - 60);
      if (start > 0) start = text.indexOf(' ', start) + 1 || start;
      let end = Math.min(text.length, start + SNIPPET_CHARS);
      if (end < text.length) end = text.lastIndexOf(' ', end) > m.index ? text.lastIndexOf(' ', end) : end;
      const parts = highlightText(text.slice(start, end), terms);
      if (start > 0) parts.unshift({ text: '… ', match: false });
      if (end < text.length) parts.push({ text: ' …', match: false });
      return mergeParts(parts);
    }
  }
  const first = sources[0]?.replace(/\s+/g, ' ').trim() ?? '';
  if (!first) return [];
  return first.length <= SNIPPET_CHARS ? [{ text: first, match: false }] : [{ text: first.slice(0, first.lastIndexOf(' ', SNIPPET_CHARS) > 0 ? first.lastIndexOf(' ', SNIPPET_CHARS) : SNIPPET_CHARS) + ' …', match: false }];
}
