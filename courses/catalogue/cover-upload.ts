import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { catalogueErrors } from './catalogue.errors.js';
import { MAX_COVER_BYTES } from './cover-image.js';

/**
 * multer for cover images: one file in the field "cover", written to uploadDir (never held in memory) and
 * refused as soon as it passes MAX_COVER_BYTES. Every file is accepted here: whether it is an image is
 * decided from its bytes afterwards (cover-image.ts), not from the name or Content-Type the browser sent.
 */
export function coverUpload(uploadDir: string): RequestHandler {
  const upload = multer({
    dest: uploadDir,
    limits: { fileSize: MAX_COVER_BYTES, files: 1, fields: 5, fieldSize: 4 * 1024, parts: 6 },
  }).single('cover');
  return (req, res, next) =>
    upload(req, res, (err?: unknown) => {
      if ((err as { code?: string } | undefined)?.code === 'LIMIT_FILE_SIZE') return next(catalogueErrors.coverTooLarge(MAX_COVER_BYTES));
      next(err);
    });
}

/** The uploaded file's temp path, or the error that says to choose one. */
export function uploadedCover(req: Request): { path: string } {
  if (!req.file) throw catalogueErrors.coverMissing();
  return { path: req.file.path };
}
