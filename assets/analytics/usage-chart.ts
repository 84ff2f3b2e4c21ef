/**
 * The trend chart as ready-made SVG geometry: stacked (or grouped) bars per day or week, drawn by the server (no script,
 * and no inline styles under our CSP: only SVG presentation attributes). Every bar carries a <title> with its
 * numbers, and the page repeats them in a table.
 */

export const USAGE_KINDS = [
  // Colours keep 3:1 or more against white and against each other's neighbours (WCAG non-text contrast).
  { key: 'views', label: 'Views', singular: 'view', colour: '#3340b8' },
  { key: 'downloads', label: 'Downloads', singular: 'download', colour: '#0f7b6c' },
  { key: 'renders', label: 'Co-branded renders', singular: 'co-branded render', colour: '#b04a00' },
] as const;
export type UsageKindKey = (typeof USAGE_KINDS)[number]['key'];

export interface TrendPoint {
  /** Short axis label ("23 Nov"). */
  label: string;
  /** Full label for the bar's title and the table ("Mon 23 Nov 2026", "23–29 Nov 2026"). */
  longLabel: string;
  views: number;
  downloads: number;
  renders: number;
}

const WIDTH = 760;
const HEIGHT = 260;
const MARGIN = { left: 48, right: 12, top: 14, bottom: 34 };
const MAX_X_LABELS = 10;
const round = (n: number) => Math.round(n * 100) / 100;

/** A step of 1, 2 or 5 × 10ⁿ giving about four whole-number gridlines up to the largest bar. */
export function axisOf(max: number): { step: number; top: number } {
  if (max <= 0) return { step: 1, top: 4 };
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!);
  return { step, top: Math.ceil(max / step) * step };
}

const plural = (n: number, singular: string) => `${n.toLocaleString('en-GB')} ${singular}${n === 1 ? '' : 's'}`;

/** One stacked series of a chart (the library's kinds, or other reports' own counts such as enrolments). */
export interface ChartSeries<K extends string = string> {
  key: K;
  label: string;
  singular: string;
  colour: string;
}

/** A bucket of a chart with one count per series key. */
export type SeriesPoint<K extends string> = { label: string; longLabel: string } & Record<K, number>;

/** "Mon 23 Nov 2026: 5 views, 2 downloads, 0 co-branded renders" for the kinds shown. */
export function barTitle<K extends string>(point: SeriesPoint<K>, kinds: readonly ChartSeries<K>[]): string {
  return `${point.longLabel}: ${kinds.map((k) => plural(point[k.key], k.singular)).join(', ')}`;
}

export function trendChartModel(points: readonly TrendPoint[], options: { kinds: readonly UsageKindKey[]; title: string; unit: 'day' | 'week' }) {
  return seriesChartModel(points, { series: USAGE_KINDS.filter((k) => options.kinds.includes(k.key)), title: options.title, unit: options.unit });
}

/**
 * How a bucket's series are drawn: stacked (one bar, the series add up: parts of one whole, as the library's kinds of
 * use) or grouped (a bar per series side by side: different measures that must not be added, such as enrolments and
 * completions).
 */
export type ChartLayout = 'stacked' | 'grouped';

/** Gap between the bars of one group, as a share of a bar's width. */
const GROUP_GAP = 0.12;

/** The chart geometry for any series; trendChartModel is this with the library's kinds (stacked). */
export function seriesChartModel<K extends string>(
  points: readonly SeriesPoint<K>[],
  options: { series: readonly ChartSeries<K>[]; title: string; unit: 'day' | 'week'; layout?: ChartLayout },
) {
  const kinds = options.series;
  const grouped = (options.layout ?? 'stacked') === 'grouped';
  const totals = points.map((p) => kinds.reduce((sum, k) => sum + p[k.key], 0));
  // Grouped bars stand on their own: the axis reaches the largest single value, not the largest sum.
  const max = grouped ? Math.max(0, ...points.flatMap((p) => kinds.map((k) => p[k.key]))) : Math.max(0, ...totals);
  const { step, top } = axisOf(max);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const band = plotWidth / Math.max(1, points.length);
  // A group is as wide as a stacked bar may be, a little wider when it holds several bars.
  const barWidth = grouped ? Math.min(band * 0.8, 22 * kinds.length) : Math.min(band * 0.72, 44);
  const slot = barWidth / Math.max(1, kinds.length);
  const gap = kinds.length > 1 ? slot * GROUP_GAP : 0;
  const labelEvery = Math.ceil(points.length / MAX_X_LABELS);
  const yOf = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;

  const bars = points.map((point, i) => {
    const x = MARGIN.left + i * band + (band - barWidth) / 2;
    let base = 0;
    const segments = grouped
      ? kinds.flatMap((k, j) => {
          if (point[k.key] <= 0) return [];
          const y = yOf(point[k.key]);
          return [{ fill: k.colour, x: round(x + j * slot + gap / 2), y: round(y), width: round(slot - gap), height: round(yOf(0) - y) }];
        })
      : kinds
          .filter((k) => point[k.key] > 0)
          .map((k) => {
            const y = yOf(base + point[k.key]);
            const segment = { fill: k.colour, x: round(x), y: round(y), width: round(barWidth), height: round(yOf(base) - y) };
            base += point[k.key];
            return segment;
          });
    return {
      title: barTitle(point, kinds),
      // The whole column takes the hover, so an empty day still shows its zeros.
      hit: { x: round(MARGIN.left + i * band), y: MARGIN.top, width: round(band), height: plotHeight },
      segments,
      label: i % labelEvery === 0 ? { text: point.label, x: round(x + barWidth / 2), y: HEIGHT - MARGIN.bottom + 18 } : null,
    };
  });
  const ticks = [];
  for (let value = 0; value <= top; value += step) ticks.push({ value, text: value.toLocaleString('en-GB'), x1: MARGIN.left, x2: WIDTH - MARGIN.right, y: round(yOf(value)), textX: MARGIN.left - 6, textY: round(yOf(value) + 4) });

  const busiest = totals.indexOf(max);
  const sum = totals.reduce((a, b) => a + b, 0);
  const kindWords = kinds.map((k) => k.label.toLowerCase()).join(', ').replace(/, ([^,]*)$/, ' and $1');
  const desc =
    sum === 0
      ? `No ${kindWords} in this period: every ${options.unit} is zero.`
      : grouped
        ? `Bars side by side of ${kindWords} per ${options.unit}, ${points.length} ${options.unit}s: ` +
          `${kinds.map((k) => `${plural(points.reduce((s, p) => s + p[k.key], 0), k.singular)} in all`).join(', ')}. ` +
          `${kinds.map((k) => busiestOf(points, k)).join(' ')} The numbers are in the table below the chart.`
        : `Stacked bars of ${kindWords} per ${options.unit}, ${points.length} ${options.unit}s, ${plural(sum, 'event')} in all. ` +
          `The busiest ${options.unit} is ${points[busiest]!.longLabel} with ${plural(max, 'event')}. The numbers are in the table below the chart.`;

  return {
    width: WIDTH,
    height: HEIGHT,
    title: options.title,
    desc,
    axis: { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y: round(yOf(0)) },
    ticks,
    bars,
    legend: kinds.map((k) => ({ label: k.label, colour: k.colour })),
    empty: sum === 0,
  };
}

/** "Most enrolments: Week of 16 – 22 Nov 2026 (15)." for one series of a grouped chart; nothing when it is all zero. */
function busiestOf<K extends string>(points: readonly SeriesPoint<K>[], kind: ChartSeries<K>): string {
  let best: SeriesPoint<K> | null = null;
  for (const p of points) if (p[kind.key] > 0 && (best === null || p[kind.key] > best[kind.key])) best = p;
  return best === null ? `No ${kind.label.toLowerCase()}.` : `Most ${kind.label.toLowerCase()}: ${best.longLabel} (${best[kind.key].toLocaleString('en-GB')}).`;
}

export type TrendChartModel = ReturnType<typeof seriesChartModel>;

const MINI_WIDTH = 120;
const MINI_HEIGHT = 10;

/** A row's counts as one small stacked bar, scaled to the largest row of its table (drawn beside the numbers). */
export function miniBarModel(row: Pick<TrendPoint, UsageKindKey>, max: number, kinds: readonly UsageKindKey[]) {
  let x = 0;
  const segments = USAGE_KINDS.filter((k) => kinds.includes(k.key) && row[k.key] > 0).map((k) => {
    const width = max > 0 ? round((row[k.key] / max) * MINI_WIDTH) : 0;
    const segment = { x: round(x), width, fill: k.colour };
    x += width;
    return segment;
  });
  return { width: MINI_WIDTH, height: MINI_HEIGHT, segments };
}
