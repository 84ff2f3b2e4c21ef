import { readFile } from 'node:fs/promises';

/** Search needs words, not whole books: the text layer is kept up to this many characters. */
export const MAX_EXTRACTED_TEXT_CHARS = 100_000;
/** Pages read for text at most; a 2,000-page catalogue still gets its first pages indexed. */
const MAX_TEXT_PAGES = 200;

export interface PdfTextLayer {
  pageCount: number;
  /** Width and height of page 1 in points. */
  width: number;
  height: number;
  /** The text layer, whitespace collapsed, at most MAX_EXTRACTED_TEXT_CHARS. */
  text: string;
}

/**
 * Reads the page count, page 1's size and the text layer of a PDF with pdf.js (getTextContent), stopping once
 * the cap is reached. Called after the preview rendered page 1, so the file is known to open; it throws on
 * anything pdf.js throws. Scripts, XFA and eval stay off as in the preview.
 */
export async function extractPdfText(path: string): Promise<PdfTextLayer> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({
    data: new Uint8Array(await readFile(path)),
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  try {
    const document = await task.promise;
    const first = (await document.getPage(1)).getViewport({ scale: 1 });
    const parts: string[] = [];
    let length = 0;
    for (let number = 1; number <= Math.min(document.numPages, MAX_TEXT_PAGES) && length < MAX_EXTRACTED_TEXT_CHARS; number++) {
      const content = await (await document.getPage(number)).getTextContent();
      const pageText = content.items
        .map((item) => ('str' in item ? item.str : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (pageText) {
        parts.push(pageText);
        length += pageText.length + 1;
      }
    }
    return { pageCount: document.numPages, width: Math.round(first.width), height: Math.round(first.height), text: parts.join('\n').slice(0, MAX_EXTRACTED_TEXT_CHARS) };
  } finally {
    await task.destroy();
  }
}
