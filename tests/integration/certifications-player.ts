import { expect } from '@jest/globals';
import type { TestClient } from '../helpers/http-client.js';

/**
 * Plays a course as a signed-in learner through the real player and commits once to the LMS endpoint of the content origin
 * (the path a browser's SCORM API takes): the tracking service stores the roll-up, then its certification hook runs.
 */
export async function commitThroughPlayer(learner: TestClient, courseId: string, core: Record<string, unknown>, options: { newAttempt?: boolean } = {}): Promise<void> {
  const player = await learner.get(`/courses/${courseId}/play${options.newAttempt ? '?attempt=new' : ''}`);
  expect(player.status).toBe(200);
  const hostUrl = new URL(/<iframe[^>]+src="([^"]+)"/.exec(player.text)![1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
  const lms = hostUrl.href.replace(/host\.html.*$/, '');
  const launch = (await (await fetch(`${lms}launch?item=${hostUrl.searchParams.get('item')}`)).json()) as { sequenceBase: number; item: { identifier: string } };
  const res = await fetch(`${lms}commit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: launch.item.identifier, sequence: launch.sequenceBase + 1, cmi: { core: { session_time: '0000:01:00.00', ...core } } }),
  });
  expect(((await res.json()) as { result: boolean }).result).toBe(true);
}
