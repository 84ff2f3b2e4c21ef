import { DOMParser, type Element, type Node } from '@xmldom/xmldom';

/**
 * Why an SVG may not enter the library, to complete "it …", or null when it is a plain drawing. It is parsed
 * as XML (not matched with patterns), so `on…` attributes and links are found however they are spelled or
 * namespaced. Refused: a DOCTYPE (entities: XXE, billion laughs), <script>, any on* attribute, <foreignObject>
 * (HTML inside), and href/xlink:href/url() pointing anywhere but '#fragment' or a data:image.
 */
export function svgSafetyProblem(svgText: string): string | null {
  if (/<!DOCTYPE/i.test(svgText) || /<!ENTITY/i.test(svgText)) return 'has a DOCTYPE declaration (entities can read files or expand without end)';
  let fatal: string | null = null;
  let root: Element | null;
  try {
    const document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') fatal ??= message;
      },
    }).parseFromString(svgText, 'image/svg+xml');
    root = document.documentElement;
  } catch (err) {
    return `is not well-formed XML (${err instanceof Error ? err.message.split('\n')[0] : 'parse error'})`;
  }
  if (fatal !== null) return `is not well-formed XML (${String(fatal).split('\n')[0]})`;
  if (!root || root.localName !== 'svg') return 'does not have <svg> as its root element';
  return elementProblem(root);
}

const LOCAL_REFERENCE = /^\s*(#|data:image\/(png|jpeg|gif|webp);)/i;
const URL_FUNCTION = /url\(\s*(['"]?)(.*?)\1\s*\)/gis;
const IMPORT = /@import/i;

function externalUrlIn(css: string): boolean {
  if (IMPORT.test(css)) return true;
  for (const match of css.matchAll(URL_FUNCTION)) if (!LOCAL_REFERENCE.test(match[2]!)) return true;
  return false;
}

function elementProblem(element: Element): string | null {
  const name = (element.localName ?? element.nodeName).toLowerCase();
  if (name === 'script') return 'contains a <script> element';
  if (name === 'foreignobject') return 'contains a <foreignObject> element (HTML inside a drawing)';
  if (name === 'style' && externalUrlIn(element.textContent ?? '')) return 'has a stylesheet that refers to a file or address outside the drawing';
  for (let i = 0; i < element.attributes.length; i++) {
    const attribute = element.attributes.item(i)!;
    const attributeName = (attribute.localName ?? attribute.name).toLowerCase();
    if (attributeName.startsWith('on')) return `has an event handler attribute (${attribute.name})`;
    if (attributeName === 'href' && !LOCAL_REFERENCE.test(attribute.value)) return `links to something outside the drawing (${attribute.name}="${attribute.value.slice(0, 60)}")`;
    if (externalUrlIn(attribute.value)) return `refers to a file or address outside the drawing (in ${attribute.name})`;
  }
  for (let child: Node | null = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.ELEMENT_NODE) {
      const problem = elementProblem(child as Element);
      if (problem) return problem;
    }
  }
  return null;
}
