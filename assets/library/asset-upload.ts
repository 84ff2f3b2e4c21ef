import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import type { AppConfig } from '../../server/config/config.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { parseFields } from '../../server/http/validate.js';
import { libraryErrors } from './library.errors.js';
import type { UploadedFile } from './library.service.js';

/**
 * multer for library files: one file in the field "file", written to DATA_DIR/tmp/uploads (never held in memory),
 * stopped as soon as it passes ASSET_MAX_UPLOAD (multer deletes the partial file). Every file is accepted here:
 * its type is decided from its bytes afterwards. When `fields` is given, the text fields sent before the file
 * are checked first, so an invalid form is refused before the file is written at all.
 */
export function assetUpload(config: AppConfig, fields?: z.ZodType): RequestHandler {
  const dest = path.join(config.dataDir, 'tmp', 'uploads');
  mkdirSync(dest, { recursive: true });
  const upload = multer({
    dest,
    limits: { fileSize: config.assets.maxUploadBytes, files: 1, fields: 300, fieldSize: 64 * 1024, parts: 301 },
    fileFilter: (req, _file, accept) => {
      if (!fields) return accept(null, true);
      const parsed = parseFields(fields, req.body);
      if (parsed.ok) accept(null, true);
      else accept(httpErrors.invalidInput(parsed.fields));
    },
  }).single('file');
  return (req, res, next) =>
    upload(req, res, (err?: unknown) => {
      if ((err as { code?: string } | undefined)?.code === 'LIMIT_FILE_SIZE') return next(libraryErrors.uploadTooLarge(config.assets.maxUploadBytes));
      next(err);
    });
}

/** The uploaded file, or null when none was sent. */
export function optionalUploadedFile(req: Request): UploadedFile | null {
  return req.file ? { path: req.file.path, originalName: req.file.originalname } : null;
}

/** The uploaded file, or the error that says to choose one. */
export function uploadedFile(req: Request): UploadedFile {
  const file = optionalUploadedFile(req);
  if (!file) throw libraryErrors.uploadMissing();
  return file;
}

/** Temp files never outlive their request, whatever happened to it. */
export async function removeUploadedFile(req: Request): Promise<void> {
  if (req.file) await unlink(req.file.path).catch(() => {});
}
