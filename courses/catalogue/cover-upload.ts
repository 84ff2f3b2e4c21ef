import type { Request, RequestHandler } from 'express';
import { singleFileUpload } from '../../server/http/file-upload.js';
import { catalogueErrors } from './catalogue.errors.js';
import { MAX_COVER_BYTES } from './cover-image.js';

/**
 * One cover image in the field "cover", on disk, refused as soon as it passes MAX_COVER_BYTES; whether it is an
 * image is decided from its bytes afterwards (cover-image.ts).
 */
export function coverUpload(uploadDir: string): RequestHandler {
  return singleFileUpload({ dest: uploadDir, field: 'cover', maxBytes: MAX_COVER_BYTES, tooLarge: catalogueErrors.coverTooLarge });
}

/** The uploaded file's temp path, or the error that says to choose one. */
export function uploadedCover(req: Request): { path: string } {
  if (!req.file) throw catalogueErrors.coverMissing();
  return { path: req.file.path };
}
