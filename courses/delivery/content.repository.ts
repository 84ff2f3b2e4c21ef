import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { attempts } from '../tracking/tracking.table.js';
import { courseVersions } from '../scorm/scorm.table.js';
import { users } from '../../server/users/users.table.js';
import type { LaunchClaims } from './launch-token.js';

export interface LaunchGrant {
  attemptId: string;
  versionId: string;
  userId: string;
  courseId: string;
  /** "courses/<course id>/<version id>/": every file the token may read starts with it. */
  storagePrefix: string;
}

/**
 * What a verified launch token grants, or null when it grants nothing: the attempt must exist, belong to the
 * token's user, be pinned to the token's version, and the user must still be active (disabling an account
 * cuts off its open launches at once instead of when their tokens expire).
 * Every request on the content origin runs this, so the statement is prepared once per database handle: Drizzle
 * does not rebuild its SQL and PostgreSQL plans it once per connection.
 */
export function launchGrantFinder(db: Executor): (claims: LaunchClaims) => Promise<LaunchGrant | null> {
  const placeholder = sql.placeholder;
  const statement = db
    .select({
      attemptId: attempts.id,
      versionId: attempts.versionId,
      userId: attempts.userId,
      courseId: attempts.courseId,
      storagePrefix: courseVersions.storagePrefix,
    })
    .from(attempts)
    .innerJoin(courseVersions, eq(courseVersions.id, attempts.versionId))
    .innerJoin(users, eq(users.id, attempts.userId))
    .where(and(eq(attempts.id, placeholder('attemptId')), eq(attempts.userId, placeholder('userId')), eq(attempts.versionId, placeholder('versionId')), eq(users.status, 'active')))
    .limit(1)
    .prepare('delivery_launch_grant');
  return async (claims) => {
    const [row] = await statement.execute({ attemptId: claims.attemptId, userId: claims.userId, versionId: claims.versionId });
    return row ?? null;
  };
}
