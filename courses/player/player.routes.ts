import type { Request } from 'express';
import { z } from 'zod';
import type { RouteSpec } from '../../server/http/route-table.js';
import type { PlayerService } from './player.service.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import type { SummaryItem } from '../tracking/tracking.service.js';

const playQuery = z.object({ item: z.uuid().optional().catch(undefined), attempt: z.enum(['new']).optional().catch(undefined) });

function courseIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('course');
  return parsed.data.id;
}

const STATUS_LABELS: Record<string, string> = { completed: 'Completed', incomplete: 'In progress', not_attempted: 'Not started', unknown: 'Not started' };

/** A lesson's state for the table of contents: success wins over completion when the content reported it. */
function lessonState(item: SummaryItem): { key: string; label: string } {
  if (item.successStatus === 'passed') return { key: 'passed', label: 'Passed' };
  if (item.successStatus === 'failed') return { key: 'failed', label: 'Failed' };
  return { key: item.completionStatus, label: STATUS_LABELS[item.completionStatus] ?? 'Not started' };
}

export function playerRoutes(player: PlayerService): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/courses/:id/play',
      access: { action: 'course.take' },
      handler: async (req, res) => {
        const query = playQuery.parse(req.query);
        const opened = await player.open(req.actor!, courseIdOf(req), { itemId: query.item, startNewAttempt: query.attempt === 'new' });
        const playHref = (item: SummaryItem) => `/courses/${opened.course.id}/play?item=${item.id}`;
        res.render('pages/courses/player', {
          title: `${opened.current.title} · ${opened.course.title}`,
          layout: 'player',
          course: { id: opened.course.id, title: opened.course.title },
          attempt: { number: opened.summary.attempt.attemptNumber, review: opened.summary.mode === 'review', versionNumber: opened.summary.versionNumber },
          rollup: opened.summary.rollup,
          toc: opened.summary.items
            .filter((i) => i.isVisible)
            .map((i) => ({
              id: i.id,
              title: i.title,
              depth: i.depth,
              launchable: i.launchable,
              href: i.launchable ? playHref(i) : null,
              current: i.id === opened.current.id,
              state: i.launchable ? lessonState(i) : null,
            })),
          current: { id: opened.current.id, title: opened.current.title },
          // SCORM 2004: scorm-again's sequencing engine in the host page enables these controls (see views/player/host.js).
          sequenced: opened.summary.standard === 'scorm2004',
          previousHref: opened.previous ? playHref(opened.previous) : null,
          nextHref: opened.next ? playHref(opened.next) : null,
          hostUrl: opened.hostUrl,
          contentOrigin: opened.contentOrigin,
        });
      },
    },
  ];
}
