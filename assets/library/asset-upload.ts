import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import type { AppConfig } from '../../server/config/config.js';
import { singleFileUpload } from '../../server/http/file-upload.js';
import { libraryErrors } from './library.errors.js';
import type { UploadedFile } from './library.service.js';

/** One library file in the field "file", on disk, refused as soon as it passes ASSET_MAX_UPLOAD; the bytes decide its type. */
export function assetUpload(config: AppConfig, fields?: z.ZodType): RequestHandler {
  return singleFileUpload({
    dest: path.join(config.dataDir, 'tmp', 'uploads'),
    field: 'file',
    maxBytes: config.assets.maxUploadBytes,
    tooLarge: libraryErrors.uploadTooLarge,
    // Bulk metadata: managed tags and visibility values repeat.
    maxFields: 300,
    ...(fields ? { fields } : {}),
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

