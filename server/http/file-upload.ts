import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import { httpErrors } from './http.errors.js';
import { parseFields } from './validate.js';

export interface SingleFileUploadOptions {
  /** Where the file is written while the request runs (DATA_DIR/tmp/uploads). */
  dest: string;
  /** The multipart field that carries the file. */
  field: string;
  maxBytes: number;
  /** The error for a file over maxBytes, naming the limit. */
  tooLarge: (maxBytes: number) => Error;
  /** Text fields the form may send besides the file. */
  maxFields?: number;
  /** Checks the text fields sent before the file, so an invalid form is refused before the file is written at all. */
  fields?: z.ZodType;
}

/**
 * multer for one uploaded file per request, written to disk (never held in memory) and stopped as soon as it
 * passes maxBytes (multer deletes the partial file). Every file is accepted here: what it is gets decided from
 * its bytes afterwards, never from the name or the Content-Type the browser sent. Routes delete the file with
 * removeUploadedFile when they are done, whatever happened.
 */
export function singleFileUpload(options: SingleFileUploadOptions): RequestHandler {
  const { dest, field, maxBytes, tooLarge, fields } = options;
  const maxFields = options.maxFields ?? 5;
  mkdirSync(dest, { recursive: true });
  const upload = multer({
    dest,
    limits: { fileSize: maxBytes, files: 1, fields: maxFields, fieldSize: 64 * 1024, parts: maxFields + 1 },
    fileFilter: (req, _file, accept) => {
      if (!fields) return accept(null, true);
      const parsed = parseFields(fields, req.body);
      if (parsed.ok) accept(null, true);
      else accept(httpErrors.invalidInput(parsed.fields));
    },
  }).single(field);
  return (req, res, next) =>
    upload(req, res, (err?: unknown) => {
      if ((err as { code?: string } | undefined)?.code === 'LIMIT_FILE_SIZE') return next(tooLarge(maxBytes));
      next(err);
    });
}

/** Temp files never outlive their request, whatever happened to it. */
export async function removeUploadedFile(req: Request): Promise<void> {
  if (req.file) await unlink(req.file.path).catch(() => {});
}
