import { AppError } from '../../server/http/app-error.js';

/** Element names and values in messages are quoted as JSON strings so that odd characters stay visible. */
const quote = (value: string) => JSON.stringify(value);
const formatCount = (n: number) => n.toLocaleString('en-GB');

/**
 * What can go wrong while the player stores a learner's progress. 404: the attempt or item is not there for
 * this learner (another learner's attempt answers exactly like a missing one); 409: the commit lost a race or
 * the attempt no longer takes commits; 422: the CMI data itself cannot be stored as sent.
 * Nothing is ever stored in part: a refused commit leaves every row as it was.
 */
export const trackingErrors = {
  attemptNotFound: () => new AppError('tracking.attempt_not_found', 404, 'This course attempt does not exist, or it is not yours.'),
  itemNotInVersion: (item: string) =>
    new AppError('tracking.item_not_in_version', 404, `The course version of this attempt has no item ${quote(item)}.`, { item }),
  itemNotLaunchable: (item: string) =>
    new AppError(
      'tracking.item_not_launchable',
      422,
      `The item ${quote(item)} is a chapter or an asset: it launches no SCO, so it has no tracking data.`,
      { item },
    ),
  staleCommit: (sequence: number, storedSequence: number) =>
    new AppError(
      'tracking.stale_commit',
      409,
      `This commit (sequence ${sequence}) is older than the progress already stored (sequence ${storedSequence}); it was not stored, and nothing was overwritten.`,
      { sequence, storedSequence },
    ),
  commitConflict: (sequence: number) =>
    new AppError(
      'tracking.commit_conflict',
      409,
      `A different commit with the same sequence number (${sequence}) is already stored; this one was not stored. Is the course open twice?`,
      { sequence },
    ),
  /** element is the dotted CMI name ("cmi.suspend_data"); length and limit are in characters (Unicode code points). */
  valueTooLong: (standardLabel: string, element: string, length: number, limit: number) =>
    new AppError(
      'tracking.value_too_long',
      422,
      `${element} is ${formatCount(length)} characters long; ${standardLabel} allows at most ${formatCount(limit)}. Nothing was stored (the value was not shortened).`,
      { element, length, limit },
    ),
  invalidCmi: (element: string, why: string) =>
    new AppError('tracking.invalid_cmi', 422, `${element} ${why}. Nothing was stored.`, { element }),
  invalidSequence: (sequence: unknown) =>
    new AppError(
      'tracking.invalid_sequence',
      422,
      `The commit sequence must be a positive whole number; got ${quote(String(sequence))}. Nothing was stored.`,
    ),
  attemptClosed: () =>
    new AppError(
      'tracking.attempt_closed',
      409,
      'A newer attempt of this course has been started, so this one no longer records progress. Close this window and open the course again.',
    ),
  newAttemptNotAllowed: () =>
    new AppError('tracking.new_attempt_not_allowed', 409, 'You have completed this course, and it does not allow another attempt. You can still review it.'),
  noVersion: () => new AppError('tracking.no_version', 409, 'This course has no content to launch yet.'),
};
