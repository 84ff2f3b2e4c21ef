import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { AppConfig } from '../../server/config/config.js';
import { scormErrors } from './scorm.errors.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { parseFields } from '../../server/http/validate.js';
import type { z } from 'zod';

/**
 * multer for SCORM uploads: one file in the field "package", written to DATA_DIR/tmp/uploads (never held in
 * memory), refused as soon as it passes the size limit. When `fields` is given, the text fields sent before
 * the file are validated first, so an invalid form is refused before the file is written at all.
 */
export function packageUpload(config: AppConfig, fields?: z.ZodType): RequestHandler {
  const dest = path.join(config.dataDir, 'tmp', 'uploads');
  mkdirSync(dest, { recursive: true });
  const upload = multer({
    dest,
    limits: { fileSize: config.scorm.maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
    fileFilter: (req, _file, accept) => {
      if (!fields) return accept(null, true);
      const parsed = parseFields(fields, req.body);
      if (parsed.ok) accept(null, true);
      else accept(httpErrors.invalidInput(parsed.fields));
    },
  }).single('package');
  return (req, res, next) =>
    upload(req, res, (err?: unknown) => {
      if ((err as { code?: string } | undefined)?.code === 'LIMIT_FILE_SIZE') return next(scormErrors.uploadTooLarge(config.scorm.maxUploadBytes));
      next(err);
    });
}

/** The uploaded file, or the error that says to choose one. */
export function uploadedPackage(req: Request): { path: string; originalName: string } {
  if (!req.file) throw scormErrors.uploadMissing();
  return { path: req.file.path, originalName: req.file.originalname };
}

/** Temp files never outlive their request, whatever happened to it. */
export async function removeUpload(req: Request): Promise<void> {
  if (req.file) await unlink(req.file.path).catch(() => {});
}
