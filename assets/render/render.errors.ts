import { AppError } from '../../server/http/app-error.js';

/**
 * Failures of the render pool itself, whatever the job. 503: the pool is full or shutting down, so the same
 * request can succeed shortly (the error handler adds Retry-After); 422: this file took too long to render.
 */
export const renderErrors = {
  busy: () =>
    new AppError(
      'assets.render_busy',
      503,
      'Too many files are being rendered right now. Please try again in a few seconds.',
    ),
  /** kind: what was being made ("preview", "co-branded PDF"), for the message. */
  timedOut: (kind: string, seconds: number) =>
    new AppError(
      'assets.render_timeout',
      422,
      `Making the ${kind} took longer than ${seconds} seconds, so it was stopped. Reduce the file's complexity (flatten very detailed pages or graphics, or compress large images) and try again.`,
      { kind, seconds },
    ),
  closed: () =>
    new AppError('assets.render_closed', 503, 'The server is restarting, so the file could not be rendered. Please try again in a few seconds.'),
};
