import { describe, expect, it } from '@jest/globals';
import { seriesChartModel, type ChartSeries } from '../../../assets/analytics/usage-chart.js';

const SERIES: readonly ChartSeries<'enrolments' | 'completions'>[] = [
  { key: 'enrolments', label: 'Enrolments', singular: 'enrolment', colour: '#3340b8' },
  { key: 'completions', label: 'Completions', singular: 'completion', colour: '#0f7b6c' },
];

const POINTS = [
  { label: '9 Nov', longLabel: 'Week of 9 – 15 Nov 2026', enrolments: 3, completions: 0 },
  { label: '16 Nov', longLabel: 'Week of 16 – 22 Nov 2026', enrolments: 15, completions: 14 },
];

const chart = (layout?: 'stacked' | 'grouped') => seriesChartModel(POINTS, { series: SERIES, title: 'Enrolments and completions per week', unit: 'week', ...(layout ? { layout } : {}) });

describe('seriesChartModel layouts', () => {
  it('stacks by default: one column per bucket whose parts add up, the axis reaching the largest sum', () => {
    const stacked = chart();
    expect(stacked).toEqual(chart('stacked'));
    const [enrolments, completions] = stacked.bars[1]!.segments;
    expect(enrolments!.x).toBe(completions!.x);
    expect(completions!.y + completions!.height).toBeCloseTo(enrolments!.y, 1);
    expect(stacked.ticks.at(-1)!.value).toBeGreaterThanOrEqual(29);
    expect(stacked.desc).toMatch(/^Stacked bars of enrolments and completions per week/);
  });

  it('groups side by side: a bar per series from the baseline, the axis reaching the largest single value', () => {
    const grouped = chart('grouped');
    const [enrolments, completions] = grouped.bars[1]!.segments;
    expect(enrolments!.fill).toBe('#3340b8');
    expect(completions!.fill).toBe('#0f7b6c');
    // Side by side, not overlapping, both standing on the axis.
    expect(completions!.x).toBeGreaterThanOrEqual(enrolments!.x + enrolments!.width);
    expect(enrolments!.y + enrolments!.height).toBeCloseTo(grouped.axis.y, 1);
    expect(completions!.y + completions!.height).toBeCloseTo(grouped.axis.y, 1);
    // 15 is drawn taller than 14, and the axis tops out at the largest value's step (15 → 16), not at 29.
    expect(enrolments!.height).toBeGreaterThan(completions!.height);
    expect(grouped.ticks.at(-1)!.value).toBeLessThan(29);
    expect(grouped.ticks.at(-1)!.value).toBeGreaterThanOrEqual(15);
    // A zero draws nothing, but the bucket keeps its title with the numbers.
    expect(grouped.bars[0]!.segments).toHaveLength(1);
    expect(grouped.bars[0]!.title).toBe('Week of 9 – 15 Nov 2026: 3 enrolments, 0 completions');
    expect(grouped.bars[1]!.title).toBe('Week of 16 – 22 Nov 2026: 15 enrolments, 14 completions');
    // The group stays inside its column (its hover area).
    const hit = grouped.bars[1]!.hit;
    expect(enrolments!.x).toBeGreaterThanOrEqual(hit.x);
    expect(completions!.x + completions!.width).toBeLessThanOrEqual(hit.x + hit.width);
    expect(grouped.desc).toBe(
      'Bars side by side of enrolments and completions per week, 2 weeks: 18 enrolments in all, 14 completions in all. ' +
        'Most enrolments: Week of 16 – 22 Nov 2026 (15). Most completions: Week of 16 – 22 Nov 2026 (14). The numbers are in the table below the chart.',
    );
  });

  it('says so when every bucket is zero, in either layout', () => {
    const zeros = POINTS.map((p) => ({ ...p, enrolments: 0, completions: 0 }));
    const grouped = seriesChartModel(zeros, { series: SERIES, title: 't', unit: 'week', layout: 'grouped' });
    expect(grouped.empty).toBe(true);
    expect(grouped.desc).toBe('No enrolments and completions in this period: every week is zero.');
    expect(grouped.bars.every((b) => b.segments.length === 0)).toBe(true);
  });
});
