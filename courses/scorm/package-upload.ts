import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import type { AppConfig } from '../../server/config/config.js';
import { scormErrors } from './scorm.errors.js';
import { singleFileUpload } from '../../server/http/file-upload.js';
import type { z } from 'zod';

/** One SCORM package in the field "package", on disk, refused as soon as it passes SCORM_MAX_UPLOAD. */
export function packageUpload(config: AppConfig, fields?: z.ZodType): RequestHandler {
  return singleFileUpload({
    dest: path.join(config.dataDir, 'tmp', 'uploads'),
    field: 'package',
    maxBytes: config.scorm.maxUploadBytes,
    tooLarge: scormErrors.uploadTooLarge,
    maxFields: 20,
    ...(fields ? { fields } : {}),
  });
}

/** The uploaded file, or the error that says to choose one. */
export function uploadedPackage(req: Request): { path: string; originalName: string } {
  if (!req.file) throw scormErrors.uploadMissing();
  return { path: req.file.path, originalName: req.file.originalname };
}

