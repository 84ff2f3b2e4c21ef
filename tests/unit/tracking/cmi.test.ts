import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  canonicalJson,
  characterLength,
  deriveScoColumns,
  entryFor,
  formatIso8601Duration,
  formatScorm12Timespan,
  keepAchievedStatus,
  mapLessonStatus,
  normaliseCommit,
  parseIso8601Duration,
  parseScorm12Timespan,
  resumeData,
  rollupAttempt,
  rollupControlsFromSequencingXml,
  type CmiObject,
  type ItemRules,
  type ResumeContext,
  type RollupItem,
  type RollupState,
} from '../../../courses/tracking/cmi.js';
import { AppError } from '../../../server/http/app-error.js';

const NO_RULES: ItemRules = { masteryScore: null, completionThreshold: null, satisfiedByMeasure: false, minNormalizedMeasure: null };

/** The AppError a call throws (fails the test when it throws nothing or something else). */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

const cmi12 = (core: CmiObject, rest: CmiObject = {}): CmiObject => ({ core, ...rest });

describe('SCORM 1.2 lesson_status mapping', () => {
  it.each([
    ['passed', 'completed', 'passed'],
    ['failed', 'completed', 'failed'],
    ['completed', 'completed', 'unknown'],
    ['incomplete', 'incomplete', 'unknown'],
    ['browsed', 'incomplete', 'unknown'],
    ['not attempted', 'not_attempted', 'unknown'],
    ['', 'not_attempted', 'unknown'],
  ])('%j → %s + %s', (lessonStatus, completionStatus, successStatus) => {
    expect(mapLessonStatus(lessonStatus)).toEqual({ completionStatus, successStatus });
    const derived = deriveScoColumns('scorm12', normaliseCommit('scorm12', cmi12({ lesson_status: lessonStatus })).cmi, NO_RULES);
    expect([derived.completionStatus, derived.successStatus]).toEqual([completionStatus, successStatus]);
  });
});

describe('SCORM 1.2 mastery score decides success when the content does not', () => {
  const rules: ItemRules = { ...NO_RULES, masteryScore: 80 };
  const derive = (core: CmiObject) => {
    const columns = deriveScoColumns('scorm12', normaliseCommit('scorm12', cmi12(core)).cmi, rules);
    return [columns.completionStatus, columns.successStatus];
  };

  it.each([
    ['completed', '80', ['completed', 'passed']],
    ['completed', '79.5', ['completed', 'failed']],
    ['incomplete', '85', ['completed', 'passed']],
    ['incomplete', '50', ['incomplete', 'unknown']],
  ])('%s with score.raw %s', (lessonStatus, raw, expected) => {
    expect(derive({ lesson_status: lessonStatus, score: { raw, min: '0', max: '100' }, credit: 'credit', lesson_mode: 'normal' })).toEqual(expected);
  });

  it('never overrides passed or failed set by the content', () => {
    expect(derive({ lesson_status: 'passed', score: { raw: '10' } })).toEqual(['completed', 'passed']);
    expect(derive({ lesson_status: 'failed', score: { raw: '95' } })).toEqual(['completed', 'failed']);
  });

  it('applies only for credit in normal mode, and only with a raw score', () => {
    expect(derive({ lesson_status: 'completed', score: { raw: '95' }, credit: 'no-credit' })).toEqual(['completed', 'unknown']);
    expect(derive({ lesson_status: 'completed', score: { raw: '95' }, lesson_mode: 'browse' })).toEqual(['completed', 'unknown']);
    expect(derive({ lesson_status: 'completed', score: { raw: '' } })).toEqual(['completed', 'unknown']);
  });

  it('without a mastery score the status is the content\'s', () => {
    const columns = deriveScoColumns('scorm12', normaliseCommit('scorm12', cmi12({ lesson_status: 'completed', score: { raw: '5' } })).cmi, NO_RULES);
    expect(columns.successStatus).toBe('unknown');
  });
});

describe('SCORM 2004 completion threshold and scaled passing score', () => {
  const derive = (cmi: CmiObject, rules: Partial<ItemRules>) => {
    const columns = deriveScoColumns('scorm2004', normaliseCommit('scorm2004', cmi).cmi, { ...NO_RULES, ...rules });
    return [columns.completionStatus, columns.successStatus];
  };

  it('completion_threshold against progress_measure overrides what the content said', () => {
    expect(derive({ completion_status: 'incomplete', progress_measure: '0.8' }, { completionThreshold: 0.75 })[0]).toBe('completed');
    expect(derive({ completion_status: 'completed', progress_measure: '0.5' }, { completionThreshold: 0.75 })[0]).toBe('incomplete');
    expect(derive({ completion_status: 'completed', progress_measure: '0.75' }, { completionThreshold: 0.75 })[0]).toBe('completed');
    // Without a progress measure the content's own status stands.
    expect(derive({ completion_status: 'completed' }, { completionThreshold: 0.75 })[0]).toBe('completed');
  });

  it('a primary objective satisfied by measure decides success from score.scaled', () => {
    const rules = { satisfiedByMeasure: true, minNormalizedMeasure: 0.7 };
    expect(derive({ success_status: 'failed', score: { scaled: '0.7' } }, rules)[1]).toBe('passed');
    expect(derive({ success_status: 'passed', score: { scaled: '0.69' } }, rules)[1]).toBe('failed');
    expect(derive({ success_status: 'passed' }, rules)[1]).toBe('unknown');
  });

  it('minNormalizedMeasure defaults to 1.0; without satisfiedByMeasure the content decides', () => {
    expect(derive({ score: { scaled: '0.99' } }, { satisfiedByMeasure: true, minNormalizedMeasure: null })[1]).toBe('failed');
    expect(derive({ score: { scaled: '1' } }, { satisfiedByMeasure: true, minNormalizedMeasure: null })[1]).toBe('passed');
    expect(derive({ success_status: 'passed', score: { scaled: '0.1' } }, { satisfiedByMeasure: false, minNormalizedMeasure: 0.9 })[1]).toBe('passed');
  });

  it('maps "not attempted" and missing statuses', () => {
    expect(derive({ completion_status: 'not attempted' }, {})).toEqual(['not_attempted', 'unknown']);
    expect(derive({}, {})).toEqual(['unknown', 'unknown']);
  });
});

describe('scores, location and interactions', () => {
  it('SCORM 1.2 scaled score is raw over a 0–100 scale unless min and max say otherwise', () => {
    const a = deriveScoColumns('scorm12', { core: { score: { raw: '75' } } }, NO_RULES);
    expect([a.scoreRaw, a.scoreMin, a.scoreMax, a.scoreScaled]).toEqual([75, null, null, 0.75]);
    const b = deriveScoColumns('scorm12', { core: { score: { raw: '15', min: '0', max: '20' } } }, NO_RULES);
    expect(b.scoreScaled).toBeCloseTo(0.75);
  });

  it('SCORM 2004 keeps score.scaled, and falls back to raw/max only with a max', () => {
    expect(deriveScoColumns('scorm2004', { score: { scaled: '-0.5', raw: '3', max: '4' } }, NO_RULES).scoreScaled).toBe(-0.5);
    expect(deriveScoColumns('scorm2004', { score: { raw: '3', max: '4' } }, NO_RULES).scoreScaled).toBe(0.75);
    expect(deriveScoColumns('scorm2004', { score: { raw: '3' } }, NO_RULES).scoreScaled).toBeNull();
  });

  it('reads the location and counts interactions sent as an object or an array', () => {
    const a = deriveScoColumns('scorm12', { core: { lesson_location: 'page-7' }, interactions: { '0': { id: 'q1' }, '1': { id: 'q2' } } }, NO_RULES);
    expect([a.location, a.interactionCount]).toEqual(['page-7', 2]);
    const b = deriveScoColumns('scorm2004', { location: '', interactions: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }, NO_RULES);
    expect([b.location, b.interactionCount]).toEqual([null, 3]);
  });
});

describe('durations', () => {
  it.each([
    ['00:00:00', 0],
    ['0000:00:00.00', 0],
    ['01:02:03.5', 3723.5],
    ['1:02:03.25', 3723.25],
    ['1234:00:01', 1234 * 3600 + 1],
  ])('SCORM 1.2 time span %s = %d s', (value, seconds) => {
    expect(parseScorm12Timespan(value)).toBeCloseTo(seconds, 5);
  });

  it.each(['', '1:2:3', '00:60:00', '00:00:60', 'PT1S', '01:02'])('SCORM 1.2 time span %j is refused', (value) => {
    expect(parseScorm12Timespan(value)).toBeNull();
  });

  it.each([
    ['PT1H2M3.5S', 3723.5],
    ['PT0S', 0],
    ['P1DT1S', 86_401],
    ['PT0,5S', 0.5],
    ['P1W', 604_800],
    ['PT90M', 5400],
    ['P1Y', 365 * 86_400],
  ])('ISO 8601 duration %s = %d s', (value, seconds) => {
    expect(parseIso8601Duration(value)).toBeCloseTo(seconds, 5);
  });

  it.each(['P', 'PT', 'P1DT', '1H', 'PT1H2', 'PTS', '00:00:01'])('ISO 8601 duration %j is refused', (value) => {
    expect(parseIso8601Duration(value)).toBeNull();
  });

  it('formats totals that both parsers read back', () => {
    for (const seconds of [0, 0.5, 59.99, 3723.5, 36_000, 400_000.25]) {
      expect(parseScorm12Timespan(formatScorm12Timespan(seconds))).toBeCloseTo(seconds, 2);
      expect(parseIso8601Duration(formatIso8601Duration(seconds))).toBeCloseTo(seconds, 2);
    }
    expect(formatScorm12Timespan(3723.5)).toBe('01:02:03.50');
    expect(formatIso8601Duration(3723.5)).toBe('PT1H2M3.5S');
    expect(formatIso8601Duration(0)).toBe('PT0S');
  });

  it('accumulates: the total is the previous total plus this session', () => {
    expect(deriveScoColumns('scorm12', { core: { session_time: '00:01:30' } }, NO_RULES, 100)).toMatchObject({ sessionTimeSeconds: 90, totalTimeSeconds: 190 });
    expect(deriveScoColumns('scorm2004', { session_time: 'PT2M', total_time: 'PT999H' }, NO_RULES, 60)).toMatchObject({ sessionTimeSeconds: 120, totalTimeSeconds: 180 });
    // The total_time the content sends back is never believed.
    expect(deriveScoColumns('scorm12', { core: { total_time: '99:00:00' } }, NO_RULES, 5).totalTimeSeconds).toBe(5);
  });
});

describe('length limits', () => {
  it('SCORM 1.2 suspend_data: 4,096 characters are stored, 4,097 refused naming element, length and limit', () => {
    expect(normaliseCommit('scorm12', { suspend_data: 'x'.repeat(4096) }).cmi.suspend_data).toHaveLength(4096);
    const error = thrown(() => normaliseCommit('scorm12', { suspend_data: 'x'.repeat(4097) }));
    expect(error.code).toBe('tracking.value_too_long');
    expect(error.status).toBe(422);
    expect(error.details).toEqual({ element: 'cmi.suspend_data', length: 4097, limit: 4096 });
    expect(error.message).toContain('cmi.suspend_data is 4,097 characters long; SCORM 1.2 allows at most 4,096');
  });

  it('a configured higher SCORM 1.2 limit is honoured; a lower one does not go below the SPM', () => {
    expect(() => normaliseCommit('scorm12', { suspend_data: 'x'.repeat(10_000) }, { scorm12SuspendDataMax: 10_000 })).not.toThrow();
    expect(thrown(() => normaliseCommit('scorm12', { suspend_data: 'x'.repeat(10_001) }, { scorm12SuspendDataMax: 10_000 })).details).toEqual({
      element: 'cmi.suspend_data',
      length: 10_001,
      limit: 10_000,
    });
    expect(() => normaliseCommit('scorm12', { suspend_data: 'x'.repeat(4096) }, { scorm12SuspendDataMax: 1000 })).not.toThrow();
  });

  it('SCORM 2004 suspend_data: 64,000 stored, 64,001 refused', () => {
    expect(normaliseCommit('scorm2004', { suspend_data: 'x'.repeat(64_000) }).cmi.suspend_data).toHaveLength(64_000);
    expect(thrown(() => normaliseCommit('scorm2004', { suspend_data: 'x'.repeat(64_001) })).details).toEqual({
      element: 'cmi.suspend_data',
      length: 64_001,
      limit: 64_000,
    });
  });

  it('locations: 255 in SCORM 1.2, 1,000 in SCORM 2004', () => {
    expect(() => normaliseCommit('scorm12', cmi12({ lesson_location: 'l'.repeat(255) }))).not.toThrow();
    expect(thrown(() => normaliseCommit('scorm12', cmi12({ lesson_location: 'l'.repeat(256) }))).details).toMatchObject({ element: 'cmi.core.lesson_location', limit: 255 });
    expect(() => normaliseCommit('scorm2004', { location: 'l'.repeat(1000) })).not.toThrow();
    expect(thrown(() => normaliseCommit('scorm2004', { location: 'l'.repeat(1001) })).details).toMatchObject({ element: 'cmi.location', length: 1001, limit: 1000 });
  });

  it('other SPMs, named with their index', () => {
    expect(thrown(() => normaliseCommit('scorm12', { comments: 'c'.repeat(4097) })).details).toMatchObject({ element: 'cmi.comments', limit: 4096 });
    expect(thrown(() => normaliseCommit('scorm12', { interactions: { '0': { id: 'ok' }, '1': { id: 'i'.repeat(256) } } })).details).toMatchObject({
      element: 'cmi.interactions.1.id',
      limit: 255,
    });
    expect(thrown(() => normaliseCommit('scorm2004', { objectives: [{ id: 'o'.repeat(4001) }] })).details).toMatchObject({ element: 'cmi.objectives.0.id', limit: 4000 });
    expect(thrown(() => normaliseCommit('scorm2004', { comments_from_learner: { '0': { comment: 'c', location: 'l'.repeat(251) } } })).details).toMatchObject({
      element: 'cmi.comments_from_learner.0.location',
      limit: 250,
    });
  });

  it('a localized string is measured without its {lang=…} delimiter', () => {
    expect(() => normaliseCommit('scorm2004', { interactions: { '0': { id: 'q', description: `{lang=en-GB}${'d'.repeat(250)}` } } })).not.toThrow();
    expect(thrown(() => normaliseCommit('scorm2004', { interactions: { '0': { id: 'q', description: `{lang=en}${'d'.repeat(251)}` } } })).details).toMatchObject({
      element: 'cmi.interactions.0.description',
      length: 251,
    });
  });

  it('counts characters, not bytes nor UTF-16 units', () => {
    expect(characterLength('é😀a')).toBe(3);
    const emoji = '😀'.repeat(4096);
    expect(emoji.length).toBe(8192);
    expect(normaliseCommit('scorm12', { suspend_data: emoji }).cmi.suspend_data).toBe(emoji);
    expect(thrown(() => normaliseCommit('scorm12', { suspend_data: `${emoji}€` })).details).toMatchObject({ length: 4097 });
  });

  it('never checks the elements the LMS owns (their copies come back from the content)', () => {
    expect(() => normaliseCommit('scorm12', { launch_data: 'd'.repeat(10_000), core: { student_name: 'n'.repeat(1000) } })).not.toThrow();
  });
});

describe('normaliseCommit', () => {
  it('keeps every string exactly as sent, and unwraps scorm-again\'s { cmi } envelope', () => {
    const suspend = 'ünïcödé ✓ 😀 "quotes" \\ \n\t\r {json:[1,2]} \u2028 '.repeat(10);
    const body = { cmi: { core: { lesson_location: 'p. 3 — “é”', lesson_status: 'incomplete' }, suspend_data: suspend }, commitSequence: 4 };
    const { cmi } = normaliseCommit('scorm12', body);
    expect(cmi.suspend_data).toBe(suspend);
    expect((cmi.core as CmiObject).lesson_location).toBe('p. 3 — “é”');
    expect(cmi).not.toHaveProperty('commitSequence');
  });

  it('digests the same data the same way whatever the key order, and different data differently', () => {
    const a = normaliseCommit('scorm2004', { location: 'a', score: { raw: '1', scaled: '0.1' } });
    const b = normaliseCommit('scorm2004', { score: { scaled: '0.1', raw: '1' }, location: 'a' });
    const c = normaliseCommit('scorm2004', { score: { scaled: '0.1', raw: '1' }, location: 'b' });
    expect(a.digest).toBe(b.digest);
    expect(a.digest).not.toBe(c.digest);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the canonical JSON and its digest as they were, so a retry of a commit stored by an earlier release is still a duplicate', () => {
    const { json, digest, cmi } = normaliseCommit('scorm2004', { score: { scaled: '0.5', raw: 5 }, 'é': [1, { b: null, a: 'x"y' }], Z: true, location: 'p' });
    expect(json).toBe('{"Z":true,"location":"p","score":{"raw":5,"scaled":"0.5"},"é":[1,{"a":"x\\"y","b":null}]}');
    expect(digest).toBe(createHash('sha256').update(json).digest('hex'));
    expect(JSON.parse(json)).toEqual(cmi);
    expect(canonicalJson([undefined, { skipped: undefined, kept: 0 }])).toBe('[null,{"kept":0}]');
  });

  it.each([
    ['scorm12', { core: { lesson_status: 'done' } }, 'cmi.core.lesson_status'],
    ['scorm12', { core: { exit: 'quit' } }, 'cmi.core.exit'],
    ['scorm12', { core: { session_time: 'PT1M' } }, 'cmi.core.session_time'],
    ['scorm12', { core: { score: { raw: 'eighty' } } }, 'cmi.core.score.raw'],
    ['scorm12', { core: 'nope' }, 'cmi.core'],
    ['scorm12', { interactions: 'nope' }, 'cmi.interactions'],
    ['scorm2004', { completion_status: 'done' }, 'cmi.completion_status'],
    ['scorm2004', { success_status: 'completed' }, 'cmi.success_status'],
    ['scorm2004', { session_time: '00:01:00' }, 'cmi.session_time'],
    ['scorm2004', { score: { scaled: '1.5' } }, 'cmi.score.scaled'],
    ['scorm2004', { progress_measure: '-0.1' }, 'cmi.progress_measure'],
    ['scorm2004', { suspend_data: 'a\u0000b' }, 'cmi.suspend_data'],
    ['scorm2004', { location: 'a\ud800b' }, 'cmi.location'],
    ['scorm2004', { location: 42n as unknown as string }, 'cmi.location'],
    ['scorm2004', { custom: { deep: 'x\u0000' } }, 'cmi.custom.deep'],
  ] as const)('%s %j is tracking.invalid_cmi naming %s', (standard, cmi, element) => {
    const error = thrown(() => normaliseCommit(standard, cmi));
    expect(error.code).toBe('tracking.invalid_cmi');
    expect(error.status).toBe(422);
    expect(error.details).toEqual({ element });
  });

  it('refuses anything that is not an object', () => {
    for (const value of [null, 'cmi', [], 3]) expect(thrown(() => normaliseCommit('scorm12', value)).code).toBe('tracking.invalid_cmi');
  });

  it('accepts numbers where scorm-again would send strings, and null for "not set"', () => {
    const { cmi } = normaliseCommit('scorm2004', { score: { scaled: 0.5, raw: null }, progress_measure: 1, location: null });
    expect(deriveScoColumns('scorm2004', cmi, NO_RULES)).toMatchObject({ scoreScaled: 0.5, scoreRaw: null, location: null });
  });
});

describe('resume data and entry', () => {
  const item: ResumeContext['item'] = { ...NO_RULES, dataFromLms: null, maxTimeAllowed: null, timeLimitAction: null };
  const context = (over: Partial<ResumeContext> = {}): ResumeContext => ({
    mode: 'normal',
    learnerId: 'user-1',
    learnerName: 'Ada Lovelace',
    totalTimeSeconds: 0,
    item,
    ...over,
  });

  it.each([
    ['scorm12', null, 'normal', 'ab-initio'],
    ['scorm12', { core: { exit: 'suspend' } }, 'normal', 'resume'],
    ['scorm12', { core: { exit: '' } }, 'normal', ''],
    ['scorm12', { core: { exit: 'logout' } }, 'normal', ''],
    ['scorm12', { core: { exit: 'time-out' } }, 'normal', ''],
    ['scorm12', { core: { exit: 'suspend' } }, 'review', 'resume'],
    ['scorm12', { core: {} }, 'review', ''],
    ['scorm2004', null, 'normal', 'ab-initio'],
    ['scorm2004', { exit: 'suspend' }, 'normal', 'resume'],
    ['scorm2004', { exit: 'normal' }, 'normal', 'ab-initio'],
    ['scorm2004', { exit: '' }, 'normal', 'ab-initio'],
    ['scorm2004', { exit: 'normal' }, 'review', ''],
    ['scorm2004', { exit: 'suspend' }, 'review', 'resume'],
  ] as const)('%s after %j in %s mode: entry %j', (standard, stored, mode, entry) => {
    expect(entryFor(standard, stored as CmiObject | null, mode)).toBe(entry);
  });

  it('SCORM 1.2: first launch with the learner, credit, mastery score and launch data', () => {
    const data = resumeData('scorm12', null, context({ item: { ...item, masteryScore: 80, dataFromLms: 'lang=fr', maxTimeAllowed: '00:30:00', timeLimitAction: 'exit,message' } }));
    expect(data).toEqual({
      core: {
        student_id: 'user-1',
        student_name: 'Ada Lovelace',
        credit: 'credit',
        lesson_status: 'not attempted',
        entry: 'ab-initio',
        total_time: '00:00:00',
        lesson_mode: 'normal',
      },
      launch_data: 'lang=fr',
      student_data: { mastery_score: '80', max_time_allowed: '00:30:00', time_limit_action: 'exit,message' },
    });
  });

  it('SCORM 1.2: resume restores location, suspend data, status, score and the LMS total, never exit or session time', () => {
    const stored: CmiObject = {
      core: { lesson_location: 'slide-9', lesson_status: 'incomplete', exit: 'suspend', session_time: '00:10:00', total_time: '55:00:00', score: { raw: '40', min: '0', max: '' }, student_name: 'Forged' },
      suspend_data: 'état=9;✓',
      objectives: { '0': { id: 'obj-1', status: 'passed' } },
    };
    const data = resumeData('scorm12', stored, context({ totalTimeSeconds: 3723.5 }));
    expect(data.core).toEqual({
      student_id: 'user-1',
      student_name: 'Ada Lovelace',
      lesson_location: 'slide-9',
      credit: 'credit',
      lesson_status: 'incomplete',
      entry: 'resume',
      score: { raw: '40', min: '0' },
      total_time: '01:02:03.50',
      lesson_mode: 'normal',
    });
    expect(data.suspend_data).toBe('état=9;✓');
    expect(data.objectives).toEqual({ '0': { id: 'obj-1', status: 'passed' } });
  });

  it('review mode is no-credit and keeps the data', () => {
    const data = resumeData('scorm12', { core: { lesson_status: 'passed', lesson_location: 'end' } }, context({ mode: 'review' }));
    expect(data.core).toMatchObject({ credit: 'no-credit', lesson_mode: 'review', entry: '', lesson_status: 'passed', lesson_location: 'end' });
    const data2004 = resumeData('scorm2004', { exit: 'normal', completion_status: 'completed', location: 'end', suspend_data: 's' }, context({ mode: 'review' }));
    expect(data2004).toMatchObject({ credit: 'no-credit', mode: 'review', entry: '', completion_status: 'completed', location: 'end', suspend_data: 's' });
  });

  it('SCORM 2004: thresholds from the manifest, learner and launch data', () => {
    const data = resumeData('scorm2004', null, context({ item: { ...item, completionThreshold: 0.8, satisfiedByMeasure: true, minNormalizedMeasure: 0.6, dataFromLms: 'x=1' } }));
    expect(data).toEqual({
      learner_id: 'user-1',
      learner_name: 'Ada Lovelace',
      credit: 'credit',
      mode: 'normal',
      entry: 'ab-initio',
      total_time: 'PT0S',
      launch_data: 'x=1',
      completion_threshold: '0.8',
      scaled_passing_score: '0.6',
    });
    expect(resumeData('scorm2004', null, context({ item: { ...item, satisfiedByMeasure: true } })).scaled_passing_score).toBe('1');
    expect(resumeData('scorm2004', null, context({ item: { ...item, minNormalizedMeasure: 0.6 } }))).not.toHaveProperty('scaled_passing_score');
  });

  it('SCORM 2004: resume after suspend restores the data; a relaunch after a normal exit starts a fresh learner attempt', () => {
    const stored: CmiObject = { exit: 'suspend', location: 'ch-2', suspend_data: '{"a":1}', completion_status: 'incomplete', score: { scaled: '0.4' }, interactions: { '0': { id: 'q1' } } };
    const resumed = resumeData('scorm2004', stored, context({ totalTimeSeconds: 90 }));
    expect(resumed).toMatchObject({ entry: 'resume', location: 'ch-2', suspend_data: '{"a":1}', completion_status: 'incomplete', score: { scaled: '0.4' }, total_time: 'PT1M30S' });
    expect(resumed.interactions).toEqual({ '0': { id: 'q1' } });
    const fresh = resumeData('scorm2004', { ...stored, exit: 'normal' }, context({ totalTimeSeconds: 90 }));
    expect(fresh.entry).toBe('ab-initio');
    for (const key of ['location', 'suspend_data', 'completion_status', 'score', 'interactions']) expect(fresh).not.toHaveProperty(key);
    expect(fresh.total_time).toBe('PT0S');
  });
});

describe('achievements are kept', () => {
  const columns = (completionStatus: 'completed' | 'incomplete', successStatus: 'passed' | 'failed' | 'unknown', scoreScaled: number | null) => ({
    completionStatus,
    successStatus,
    scoreRaw: scoreScaled === null ? null : scoreScaled * 100,
    scoreMin: null,
    scoreMax: null,
    scoreScaled,
  });

  it('completed and passed survive a later session that reports less, with the passing score', () => {
    expect(keepAchievedStatus(columns('completed', 'passed', 0.9), columns('incomplete', 'failed', 0.2))).toEqual(columns('completed', 'passed', 0.9));
    expect(keepAchievedStatus(columns('completed', 'unknown', null), columns('incomplete', 'unknown', null)).completionStatus).toBe('completed');
  });

  it('a failure is not kept: a retry may pass', () => {
    expect(keepAchievedStatus(columns('completed', 'failed', 0.2), columns('completed', 'passed', 0.8))).toEqual(columns('completed', 'passed', 0.8));
    expect(keepAchievedStatus(null, columns('incomplete', 'failed', 0.1))).toEqual(columns('incomplete', 'failed', 0.1));
  });
});

describe('attempt roll-up', () => {
  const sco = (id: string, extra: Partial<RollupItem> = {}): RollupItem => ({ id, scormType: 'sco', launchHref: `${id}/index.html`, ...extra });
  const chapter = (id: string): RollupItem => ({ id, scormType: null, launchHref: null });
  const state = (itemId: string, completionStatus: RollupState['completionStatus'], successStatus: RollupState['successStatus'] = 'unknown', scoreScaled: number | null = null, totalTimeSeconds = 60): RollupState => ({
    itemId,
    completionStatus,
    successStatus,
    scoreScaled,
    totalTimeSeconds,
  });

  // A nested course: 3 chapters, one with a sub-chapter, 9 SCOs in all.
  const nine: RollupItem[] = [
    chapter('ch1'), sco('s1'), sco('s2'), sco('s3'),
    chapter('ch2'), sco('s4'), chapter('ch2.1'), sco('s5'), sco('s6'),
    chapter('ch3'), sco('s7'), sco('s8'), sco('s9', { masteryScore: 80 }),
  ];

  it('a nested 9-SCO course with some SCOs completed is incomplete, with the time of all', () => {
    const states = [state('s1', 'completed'), state('s2', 'completed'), state('s5', 'completed'), state('s6', 'incomplete')];
    expect(rollupAttempt('scorm12', nine, states)).toEqual({
      completionStatus: 'incomplete',
      successStatus: 'unknown',
      scoreScaled: null,
      totalTimeSeconds: 240,
      scoCount: 9,
      completedCount: 3,
    });
  });

  it('is completed when all 9 are completed or passed, and passed when the scored SCO passed', () => {
    const states = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'].map((id) => state(id, 'completed'));
    const passed = rollupAttempt('scorm12', nine, [...states, state('s9', 'completed', 'passed', 0.9)]);
    expect(passed).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9, completedCount: 9 });
    const failed = rollupAttempt('scorm12', nine, [...states, state('s9', 'completed', 'failed', 0.5)]);
    expect(failed).toMatchObject({ completionStatus: 'completed', successStatus: 'failed', scoreScaled: 0.5 });
  });

  it('a failure before completion leaves success unknown; a pass counts as done', () => {
    const items = [sco('a', { masteryScore: 50 }), sco('b')];
    expect(rollupAttempt('scorm12', items, [state('a', 'completed', 'failed', 0.2)])).toMatchObject({ completionStatus: 'incomplete', successStatus: 'unknown' });
    expect(rollupAttempt('scorm2004', items, [state('a', 'unknown', 'passed', 0.9), state('b', 'completed')])).toMatchObject({ completionStatus: 'completed', successStatus: 'passed' });
  });

  it('success needs every scored SCO passed, including scored ones not yet taken', () => {
    const items = [sco('a', { masteryScore: 50 }), sco('b', { masteryScore: 50 }), sco('c')];
    expect(rollupAttempt('scorm12', items, [state('a', 'completed', 'passed', 1)]).successStatus).toBe('unknown');
    const all = rollupAttempt('scorm12', items, [state('a', 'completed', 'passed', 1), state('b', 'completed', 'passed', 0.5), state('c', 'completed')]);
    expect(all).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.75 });
  });

  it('before any launch the attempt is not attempted; assets and chapters are not counted', () => {
    const items = [chapter('c'), sco('a'), { id: 'pdf', scormType: 'asset', launchHref: 'guide.pdf' }];
    expect(rollupAttempt('scorm12', items, []).completionStatus).toBe('not_attempted');
    expect(rollupAttempt('scorm12', items, [state('a', 'completed')])).toMatchObject({ completionStatus: 'completed', scoCount: 1 });
  });

  it('SCORM 2004 honours tracked, rollupProgressCompletion, rollupObjectiveSatisfied and objectiveMeasureWeight', () => {
    const items = [
      sco('a', { satisfiedByMeasure: true }),
      sco('b', { controls: { rollupProgressCompletion: false } }),
      sco('c', { satisfiedByMeasure: true, controls: { rollupObjectiveSatisfied: false, objectiveMeasureWeight: 0.5 } }),
      sco('d', { controls: { tracked: false } }),
    ];
    const rollup = rollupAttempt('scorm2004', items, [state('a', 'completed', 'passed', 1), state('c', 'completed', 'failed', 0.4)]);
    expect(rollup).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', scoCount: 2, completedCount: 2 });
    expect(rollup.scoreScaled).toBeCloseTo((1 * 1 + 0.4 * 0.5) / 1.5);
    // SCORM 1.2 has no sequencing: the same controls are ignored.
    expect(rollupAttempt('scorm12', items, [state('a', 'completed'), state('c', 'completed')]).completionStatus).toBe('incomplete');
  });

  it('reads the controls from serialised sequencing XML, whatever the prefix', () => {
    const xml =
      '<imsss:sequencing xmlns:imsss="http://www.imsglobal.org/xsd/imsss"><imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0.25"/><imsss:deliveryControls tracked="false"/></imsss:sequencing>';
    expect(rollupControlsFromSequencingXml(xml)).toEqual({ tracked: false, rollupObjectiveSatisfied: false, rollupProgressCompletion: true, objectiveMeasureWeight: 0.25 });
    expect(rollupControlsFromSequencingXml("<sequencing><rollupRules rollupProgressCompletion='false'/></sequencing>").rollupProgressCompletion).toBe(false);
    expect(rollupControlsFromSequencingXml(null)).toEqual({ tracked: true, rollupObjectiveSatisfied: true, rollupProgressCompletion: true, objectiveMeasureWeight: 1 });
  });
});
