import { pgTable, uuid, text, timestamp } from 'drizzle-orm/pg-core';
import { attempts } from '../tracking/tracking.table.js';

/**
 * scorm-again's serialised sequencing state of a SCORM 2004 attempt (activity tree statuses, attempt counts,
 * current activity, global objectives): what its sequencing engine needs to carry on where the learner left off
 * when the player is opened again. Written by the host page on the content origin, last write wins.
 */
export const attemptSequencingStates = pgTable('attempt_sequencing_states', {
  attemptId: uuid('attempt_id')
    .primaryKey()
    .references(() => attempts.id, { onDelete: 'cascade' }),
  state: text('state').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
