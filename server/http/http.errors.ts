import { AppError } from './app-error.js';

export const httpErrors = {
  notFound: (what = 'page') => new AppError('http.not_found', 404, `We could not find that ${what}. It may have moved, or you may not have access to it.`),
  forbidden: () => new AppError('http.forbidden', 403, 'Your role does not allow this action. Ask your administrator if you need access.'),
  notSignedIn: () => new AppError('auth.not_signed_in', 401, 'Please sign in to continue.'),
  methodNotAllowed: (method: string, allowed: string[]) =>
    new AppError('http.method_not_allowed', 405, `${method} is not supported here. Use ${allowed.join(' or ')}.`, { allowed }),
  invalidInput: (fields: Record<string, string>) =>
    new AppError('http.invalid_input', 400, `Please correct: ${Object.entries(fields).map(([k, v]) => `${k} (${v})`).join('; ')}`, { fields }),
  malformedBody: (why: string) => new AppError('http.malformed_body', 400, `The request body could not be read: ${why}`),
  bodyTooLarge: (limit: number) => new AppError('http.body_too_large', 413, `The request body is larger than the ${Math.round(limit / 1024)} KB this form accepts.`),
  unsupportedMediaType: (type: string) =>
    new AppError('http.unsupported_media_type', 415, `Content type "${type}" is not accepted here; send application/x-www-form-urlencoded or application/json.`),
  uploadRefused: (multerCode: string, field?: string) =>
    multerCode === 'LIMIT_FILE_SIZE'
      ? new AppError('http.upload_too_large', 413, 'The file is larger than this upload accepts. Check the size limit and try a smaller file.')
      : multerCode === 'LIMIT_UNEXPECTED_FILE'
        ? new AppError('http.upload_unexpected_field', 400, `Unexpected file field "${field ?? ''}". Send one file in the field this form names.`)
        : new AppError('http.upload_invalid', 400, `The upload could not be read (${multerCode}). Send the form again with one file.`),
  csrfInvalid: () =>
    new AppError('http.csrf_invalid', 403, 'This form has expired or was not sent from Partner Academy. Reload the page and try again.'),
};
