import { describe, expect, it } from '@jest/globals';
import { bucketsOf, resolvePeriod, type UsagePeriod } from '../../../assets/analytics/usage-period.js';
import { axisOf, miniBarModel, trendChartModel } from '../../../assets/analytics/usage-chart.js';
import { usageReportQuery } from '../../../assets/analytics/usage.schema.js';

const NOW = new Date('2026-11-25T08:30:00Z'); // a Wednesday

function period(query: Parameters<typeof resolvePeriod>[0]): UsagePeriod {
  const result = resolvePeriod(query, NOW);
  if (!result.ok) throw new Error(JSON.stringify(result.fields));
  return result.period;
}

describe('usage report query', () => {
  it('falls back to the defaults for unknown choices, and keeps typed dates as typed', () => {
    expect(usageReportQuery.parse({ period: '45', sort: 'x', kind: 'print', partnerType: '', tierId: 'not-a-uuid', region: 'Mars', from: ' 2026-01-01 ' })).toEqual({
      period: '30',
      sort: 'total',
      from: '2026-01-01',
    });
    expect(usageReportQuery.parse({ period: '7', kind: 'render', region: 'EMEA', sort: 'downloads' })).toMatchObject({ period: '7', kind: 'render', region: 'EMEA', sort: 'downloads' });
  });
});

describe('resolvePeriod', () => {
  it('last N days end today (UTC) and include it', () => {
    expect(period({ period: '7' })).toMatchObject({ firstDay: '2026-11-19', lastDay: '2026-11-25', days: 7, bucket: 'day' });
    const p = period({ period: '30' });
    expect([p.firstDay, p.days, p.bucket]).toEqual(['2026-10-27', 30, 'day']);
    expect(p.from.toISOString()).toBe('2026-10-27T00:00:00.000Z');
    expect(p.until.toISOString()).toBe('2026-11-26T00:00:00.000Z');
    expect(period({ period: '90' })).toMatchObject({ firstDay: '2026-08-28', days: 90, bucket: 'week' });
  });

  it('custom dates: days up to 31 are daily, longer weekly', () => {
    expect(period({ period: 'custom', from: '2026-11-01', to: '2026-11-01' })).toMatchObject({ days: 1, bucket: 'day' });
    expect(period({ period: 'custom', from: '2026-10-01', to: '2026-10-31' })).toMatchObject({ days: 31, bucket: 'day' });
    expect(period({ period: 'custom', from: '2026-10-01', to: '2026-11-01' })).toMatchObject({ days: 32, bucket: 'week' });
  });

  it('refuses impossible, reversed, future and over-long custom periods, naming the field', () => {
    const fields = (from?: string, to?: string) => {
      const r = resolvePeriod({ period: 'custom', from, to }, NOW);
      return r.ok ? null : Object.keys(r.fields).sort();
    };
    expect(fields('2026-02-30', '2026-03-01')).toEqual(['from']);
    expect(fields('2026-03-01', undefined)).toEqual(['to']);
    expect(fields('01/03/2026', 'yesterday')).toEqual(['from', 'to']);
    expect(fields('2026-03-02', '2026-03-01')).toEqual(['from']);
    expect(fields('2026-11-20', '2026-11-26')).toEqual(['to']);
    expect(fields('2025-11-24', '2026-11-25')).toEqual(['from']);
    expect(fields('2025-11-25', '2026-11-25')).toBeNull();
  });
});

describe('bucketsOf', () => {
  it('one bucket per day', () => {
    expect(bucketsOf(period({ period: '7' })).map((b) => b.key)).toEqual(['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25']);
  });

  it('weeks start on Monday; the first and last are cut to the period', () => {
    const buckets = bucketsOf(period({ period: 'custom', from: '2026-10-01', to: '2026-11-04' }));
    expect(buckets[0]).toEqual({ key: '2026-09-28', firstDay: '2026-10-01', lastDay: '2026-10-04' });
    expect(buckets[1]).toEqual({ key: '2026-10-05', firstDay: '2026-10-05', lastDay: '2026-10-11' });
    expect(buckets.at(-1)).toEqual({ key: '2026-11-02', firstDay: '2026-11-02', lastDay: '2026-11-04' });
    expect(buckets).toHaveLength(6);
    expect(bucketsOf(period({ period: '90' }))).toHaveLength(14);
  });
});

describe('trend chart', () => {
  it('axis steps of 1, 2 or 5 × 10ⁿ up to the largest bar', () => {
    expect(axisOf(0)).toEqual({ step: 1, top: 4 });
    expect(axisOf(3)).toEqual({ step: 1, top: 3 });
    expect(axisOf(7)).toEqual({ step: 2, top: 8 });
    expect(axisOf(13)).toEqual({ step: 5, top: 15 });
    expect(axisOf(480)).toEqual({ step: 200, top: 600 });
  });

  const points = [
    { label: '23 Nov', longLabel: 'Mon 23 Nov 2026', views: 2, downloads: 1, renders: 1 },
    { label: '24 Nov', longLabel: 'Tue 24 Nov 2026', views: 0, downloads: 0, renders: 0 },
    { label: '25 Nov', longLabel: 'Wed 25 Nov 2026', views: 1, downloads: 0, renders: 0 },
  ];

  it('stacks the kinds bottom-up, scaled to the axis, with the numbers in each bar title', () => {
    const chart = trendChartModel(points, { kinds: ['views', 'downloads', 'renders'], title: 'Use per day', unit: 'day' });
    const [first, empty, last] = chart.bars;
    expect(first!.title).toBe('Mon 23 Nov 2026: 2 views, 1 download, 1 co-branded render');
    expect(empty!.title).toBe('Tue 24 Nov 2026: 0 views, 0 downloads, 0 co-branded renders');
    expect(empty!.segments).toEqual([]);
    expect(first!.segments.map((s) => s.fill)).toEqual(['#3340b8', '#0f7b6c', '#b04a00']);
    // Axis 0..4 over 212 px: 2 views are 106 px, each single event 53 px, stacked upwards from the baseline.
    expect(first!.segments.map((s) => s.height)).toEqual([106, 53, 53]);
    expect(first!.segments[0]!.y + first!.segments[0]!.height).toBe(chart.axis.y);
    expect(first!.segments[1]!.y + first!.segments[1]!.height).toBe(first!.segments[0]!.y);
    expect(last!.segments).toHaveLength(1);
    expect(chart.ticks.map((t) => t.text)).toEqual(['0', '1', '2', '3', '4']);
    expect(chart.desc).toContain('4 events');
    expect(chart.desc).toContain('busiest day is Mon 23 Nov 2026');
    expect(chart.empty).toBe(false);
  });

  it('one kind only, and an empty period', () => {
    const downloads = trendChartModel(points, { kinds: ['downloads'], title: 't', unit: 'day' });
    expect(downloads.bars[0]!.title).toBe('Mon 23 Nov 2026: 1 download');
    expect(downloads.legend.map((l) => l.label)).toEqual(['Downloads']);
    const none = trendChartModel(points, { kinds: ['renders'], title: 't', unit: 'week' });
    expect(none.bars[0]!.title).toBe('Mon 23 Nov 2026: 1 co-branded render');
    const empty = trendChartModel([points[1]!], { kinds: ['views', 'downloads', 'renders'], title: 't', unit: 'week' });
    expect(empty.empty).toBe(true);
    expect(empty.desc).toBe('No views, downloads and co-branded renders in this period: every week is zero.');
  });

  it('labels at most ten columns of a long period', () => {
    const many = Array.from({ length: 31 }, (_, i) => ({ label: `${i + 1}`, longLabel: `${i + 1}`, views: i, downloads: 0, renders: 0 }));
    const chart = trendChartModel(many, { kinds: ['views'], title: 't', unit: 'day' });
    expect(chart.bars.filter((b) => b.label).length).toBeLessThanOrEqual(10);
    expect(chart.bars[0]!.label?.text).toBe('1');
  });

  it('small bars scale to the largest row and leave out hidden kinds', () => {
    expect(miniBarModel({ views: 3, downloads: 1, renders: 0 }, 8, ['views', 'downloads', 'renders']).segments).toEqual([
      { x: 0, width: 45, fill: '#3340b8' },
      { x: 45, width: 15, fill: '#0f7b6c' },
    ]);
    expect(miniBarModel({ views: 3, downloads: 1, renders: 0 }, 1, ['downloads']).segments).toEqual([{ x: 0, width: 120, fill: '#0f7b6c' }]);
    expect(miniBarModel({ views: 0, downloads: 0, renders: 0 }, 0, ['views']).segments).toEqual([]);
  });
});
