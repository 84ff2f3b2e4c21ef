import express, { type Router } from 'express';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { AppDeps } from '../../server/app-deps.js';
import { isAppError } from '../../server/http/app-error.js';
import { VIEWS_DIR } from '../../server/paths.js';
import { createTrackingService } from '../tracking/tracking.service.js';
import { createSequencingService } from '../player/sequencing.service.js';
import { launchOf } from './content-server.js';

const require = createRequire(import.meta.url);
const SCORM_AGAIN_DIST = path.dirname(require.resolve('scorm-again/scorm12'));
const PLAYER_ASSETS = path.join(VIEWS_DIR, 'player');

/** scorm-again's serialised sequencing state (a few KB for a typical activity tree). */
const SEQUENCING_STATE_MAX_CHARS = 512 * 1024;
const sequencingBody = z.object({ state: z.string().min(2).max(SEQUENCING_STATE_MAX_CHARS) });

/** scorm-again wraps each commit with what this endpoint needs (see views/player/host.js). */
const commitBody = z.object({
  item: z.string().min(1).max(500),
  sequence: z.number().int().positive(),
  final: z.boolean().optional(),
  cmi: z.record(z.string(), z.unknown()),
});

/**
 * The player's LMS on the content origin, mounted at /c/<token>/_lms behind the launch-token check.
 *
 * Why here and not through scorm-again's cross-frame bridge: a SCO calls LMSGetValue synchronously, and an answer
 * from another origin can only arrive asynchronously. scorm-again's CrossFrameAPI therefore answers from a cache
 * ("" before the first round trip, "true" for every SetValue, interaction counts one behind) and rate-limits
 * messages; measured with 3.4.3 it lost interactions and dropped LMSFinish. So the real Scorm12API/Scorm2004API
 * runs in the host page on the content origin, synchronously, and commits here with the launch token as its only
 * credential (bound to this user, attempt and version). The SCO could already SetValue anything through the API,
 * so this grants it nothing more; the app origin, its cookies and pages stay out of its reach.
 */
export function lmsEndpoints(deps: AppDeps): Router {
  const tracking = createTrackingService(deps);
  const sequencing = createSequencingService(deps);
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get('/host.html', (_req, res) => res.type('html').sendFile(path.join(PLAYER_ASSETS, 'host.html')));
  router.get('/host.js', (_req, res) => res.type('text/javascript').sendFile(path.join(PLAYER_ASSETS, 'host.js')));
  router.get('/host.css', (_req, res) => res.type('text/css').sendFile(path.join(PLAYER_ASSETS, 'host.css')));
  router.get('/scorm12.js', (_req, res) => res.type('text/javascript').sendFile(path.join(SCORM_AGAIN_DIST, 'scorm12.min.js')));
  router.get('/scorm2004.js', (_req, res) => res.type('text/javascript').sendFile(path.join(SCORM_AGAIN_DIST, 'scorm2004.min.js')));

  router.get('/launch', async (req, res) => {
    const launch = launchOf(res);
    const itemId = typeof req.query.item === 'string' ? req.query.item : '';
    try {
      const data = await tracking.launchData({ attemptId: launch.attemptId, userId: launch.userId, itemId });
      // SCORM 2004: the activity tree and saved state for scorm-again's sequencing engine, which decides navigation.
      const sequencingData = data.standard === 'scorm2004' ? await sequencing.launchSequencing(launch) : null;
      res.json({ ...data, sequencing: sequencingData, appOrigin: new URL(deps.config.appUrl).origin });
    } catch (err) {
      answerError(res, err);
    }
  });

  // The sequencing engine's state after each navigation and commit (JSON; text/plain when sent as a beacon on page hide).
  router.post('/sequencing', express.json({ limit: '1mb' }), express.text({ type: 'text/plain', limit: '1mb' }), async (req, res) => {
    const parsed = sequencingBody.safeParse(parseMaybeText(req.body));
    if (!parsed.success) return void res.status(400).json({ result: false, error: { code: 'tracking.invalid_body', message: 'Send { "state": "<serialised sequencing state>" }.' } });
    const stored = await sequencing.saveState(launchOf(res), parsed.data.state);
    res.json({ result: true, stored });
  });

  // JSON from scorm-again's commits; text/plain from its sendBeacon on Terminate/LMSFinish and page hide.
  router.post('/commit', express.json({ limit: '2mb' }), express.text({ type: 'text/plain', limit: '2mb' }), async (req, res) => {
    const launch = launchOf(res);
    const body = parseMaybeText(req.body);
    if (body === INVALID_JSON) return void res.status(400).json({ result: false, errorCode: 101, error: { code: 'tracking.invalid_body', message: 'The commit body is not JSON.' } });
    const parsed = commitBody.safeParse(body);
    if (!parsed.success) {
      return void res.status(400).json({ result: false, errorCode: 101, error: { code: 'tracking.invalid_body', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
    }
    try {
      // Answered only after the commit is durable in the database.
      const ack = await tracking.commit({ attemptId: launch.attemptId, userId: launch.userId, itemIdentifier: parsed.data.item, sequence: parsed.data.sequence, cmi: parsed.data.cmi, isFinal: parsed.data.final });
      res.json(ack);
    } catch (err) {
      answerError(res, err);
    }
  });

  return router;
}

const INVALID_JSON = Symbol('invalid JSON');

/** A beacon sends its JSON as text/plain (express.text leaves a string); JSON bodies arrive parsed. */
function parseMaybeText(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** scorm-again reads { result, errorCode }; anything but result true is a failed commit for it to report and retry. */
function answerError(res: express.Response, err: unknown): void {
  if (!isAppError(err) || err.status >= 500) throw err;
  res.status(err.status).json({ result: false, errorCode: 101, error: { code: err.code, message: err.message } });
}
