import { describe, expect, it } from '@jest/globals';
import { stepProgressOf, summariseProgress } from '../../../courses/paths/paths.service.js';
import type { PathStep } from '../../../courses/paths/paths.repository.js';

const step = (n: number, target: { courseId?: string; assetId?: string }, requiresPrevious = false): PathStep => ({
  id: `step-${n}`,
  pathId: 'path',
  position: n,
  kind: target.courseId ? 'course' : 'asset',
  courseId: target.courseId ?? null,
  assetId: target.assetId ?? null,
  requiresPrevious,
  courseTitle: target.courseId ? `Course ${n}` : null,
  courseStatus: target.courseId ? 'published' : null,
  assetTitle: target.assetId ? `Asset ${n}` : null,
  assetArchivedAt: null,
});

const steps = [step(0, { courseId: 'c1' }), step(1, { assetId: 'a1' }, true), step(2, { courseId: 'c2' }, true)];
const now = new Date('2026-11-25T12:00:00Z');

describe('learning path progress', () => {
  it('locks a step with a prerequisite while an earlier step is not done, and only then', () => {
    const none = stepProgressOf(steps, new Map(), new Set());
    expect(none.map((s) => s.locked)).toEqual([false, true, true]);
    const firstDone = stepProgressOf(steps, new Map([['c1', { done: true, started: true }]]), new Set());
    expect(firstDone.map((s) => s.locked)).toEqual([false, false, true]);
    const twoDone = stepProgressOf(steps, new Map([['c1', { done: true, started: true }]]), new Set(['a1']));
    expect(twoDone.map((s) => [s.done, s.locked])).toEqual([
      [true, false],
      [true, false],
      [false, false],
    ]);
  });

  it('counts a step done out of order as done (never locked), and a step without prerequisite as open', () => {
    const result = stepProgressOf(steps, new Map([['c2', { done: true, started: true }]]), new Set());
    expect(result.map((s) => [s.done, s.locked])).toEqual([
      [false, false],
      [false, true],
      [true, false],
    ]);
  });

  it('summarises: completed only when every step is, in progress once anything started, overdue only while unfinished', () => {
    const past = new Date('2026-11-01T00:00:00Z');
    const none = summariseProgress(stepProgressOf(steps, new Map(), new Set()), past, now);
    expect(none).toEqual({ completedSteps: 0, totalSteps: 3, complete: false, state: 'not_started', overdue: true });
    const started = summariseProgress(stepProgressOf(steps, new Map([['c1', { done: false, started: true }]]), new Set()), null, now);
    expect(started).toMatchObject({ completedSteps: 0, state: 'in_progress', overdue: false });
    const all = new Map([
      ['c1', { done: true, started: true }],
      ['c2', { done: true, started: true }],
    ]);
    expect(summariseProgress(stepProgressOf(steps, all, new Set(['a1'])), past, now)).toEqual({ completedSteps: 3, totalSteps: 3, complete: true, state: 'completed', overdue: false });
  });

  it('never calls a path without steps complete', () => {
    expect(summariseProgress([], null, now)).toMatchObject({ complete: false, totalSteps: 0, state: 'not_started' });
  });
});
