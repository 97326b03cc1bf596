// Charts without client JavaScript: horizontal bar charts as HTML rows (barChart, drawn by
// src/components/BarList.astro, docs/decisions/112) and the monthly column chart as server-rendered
// echarts SVG (through src/components/SvgChart.astro only; docs/decisions/062 and 090).
import * as echarts from 'echarts';

export const COLORS = ['#b22222', '#0a4fb8', '#8a6d1d', '#1a7f37', '#6f42c1', '#c2410c', '#0e7490', '#57606a'];

export interface Series {
  name: string;
  data: number[];
  /** The bar chart's colour for this series (an index into COLORS); by default its position. */
  colour?: number;
}

/** One coloured piece of a bar: its series (0 = the first colour) and its length in % of the longest row. */
export interface BarSegment {
  series: number;
  width: number;
}

/** A row of an HTML bar chart: the category, its total (as shown) and the segments drawn for it. */
export interface BarRow {
  label: string;
  value: string;
  segments: BarSegment[];
}

/** An HTML bar chart: rows, the legend (each series' name and colour; empty for one series) and the longest value's length in characters. */
export interface BarChart {
  rows: BarRow[];
  legend: { name: string; series: number }[];
  valueChars: number;
}

/** The number of colours a stacked row can tell apart (src/styles/global.css `.bars .cN`). */
export const BAR_COLOURS = COLORS.length;

const tenthOfPercent = (part: number, max: number) => (max > 0 ? Math.round((part / max) * 1000) / 10 : 0);

/**
 * The geometry of a horizontal bar chart drawn once in HTML (docs/decisions/112): every row's
 * length is its total as a percentage of the longest row's, to 0.1 %; a stacked row's segments
 * are cut at the rounded running totals, so they add up to exactly the row's rounded length.
 * Zero values draw no segment. Every series after the first BAR_COLOURS reuses their colours.
 */
export function barChart(categories: string[], series: Series[]): BarChart {
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.data[i] ?? 0), 0));
  const max = Math.max(0, ...totals);
  const rows = categories.map((label, i) => {
    const segments: BarSegment[] = [];
    let running = 0;
    let edge = 0;
    series.forEach((s, k) => {
      const v = s.data[i] ?? 0;
      if (v <= 0) return;
      running += v;
      const next = tenthOfPercent(running, max);
      segments.push({ series: (s.colour ?? k) % BAR_COLOURS, width: Math.round((next - edge) * 10) / 10 });
      edge = next;
    });
    return { label, value: totals[i].toLocaleString('zh-CN'), segments };
  });
  return { rows, legend: series.length > 1 ? series.map((s, k) => ({ name: s.name, series: (s.colour ?? k) % BAR_COLOURS })) : [], valueChars: Math.max(1, ...rows.map((r) => r.value.length)) };
}

/** COLORS' grey: the colour of a series that sums up others ("更早"). */
export const GREY = COLORS.indexOf('#57606a');

/**
 * A series per year for a stacked bar chart, readable however many years there are: the last `keep`
 * years each in a colour of its own, every earlier year summed into one grey series first ("2001–2022年").
 * With 33 years of 好人榜 the eight colours repeated four times and no segment could be told from
 * another; the data table beside the chart keeps every year.
 */
export function recentYearSeries<Y extends string | number>(years: Y[], valuesOf: (year: Y) => number[], keep = 4): Series[] {
  const sorted = [...years].sort((a, b) => Number(a) - Number(b));
  const own = (y: Y, k: number): Series => ({ name: `${y}年`, data: valuesOf(y), colour: k });
  if (sorted.length <= keep + 1) return sorted.map((y, k) => own(y, k));
  const earlier = sorted.slice(0, -keep);
  const sums = earlier.map(valuesOf).reduce((acc, v) => acc.map((x, i) => x + (v[i] ?? 0)));
  return [{ name: `${earlier[0]}–${earlier.at(-1)}年`, data: sums, colour: GREY }, ...sorted.slice(-keep).map((y, k) => own(y, k))];
}

// Column (or line) charts only: horizontal bars are HTML rows (barChart, docs/decisions/112).
type ChartOptions = { categories: string[]; series: Series[]; width?: number; height?: number; fontSize?: number; line?: boolean; title: string };

/**
 * The two drawings of an SVG chart (docs/decisions/090). An SVG scales with its column, and its
 * text with it: a 720-wide chart on a 328 px phone column drew 13 px labels at 5.9 px. So each
 * chart is drawn twice — on a canvas as wide as a phone's column and on a desktop one — with labels
 * at the body size (16 px, 20 px in 大字模式); CSS shows the drawing whose width matches the column
 * (global.css, below 768 px the narrow one), so text renders at about body size at every width.
 */
export const CHART_LAYOUTS = {
  wide: { width: 720, fontSize: 16, largeFontSize: 20 },
  // 360 px screen minus the page's side padding (1rem: 16 px, 20 px in 大字模式).
  narrow: { width: 328, largeWidth: 320, fontSize: 16, largeFontSize: 20 },
} as const;

/** Both drawings of a chart for the reader's type size (the phone's a little shorter, with room for a legend). */
export function chartPair(opts: Omit<ChartOptions, 'width' | 'fontSize'>, large: boolean): { wide: string; narrow: string } {
  const draw = (width: number, fontSize: number, narrow: boolean) => {
    const legend = opts.series.length > 1 ? fontSize * 3.5 : 0;
    const height = Math.round((opts.height ?? 320) * (narrow ? 0.8 : 1) + legend);
    return barChartSvg({ ...opts, width, fontSize, height });
  };
  const { wide, narrow } = CHART_LAYOUTS;
  return {
    wide: draw(wide.width, large ? wide.largeFontSize : wide.fontSize, false),
    narrow: draw(large ? narrow.largeWidth : narrow.width, large ? narrow.largeFontSize : narrow.fontSize, true),
  };
}

// echarts SSR costs 10–100 ms per chart; the same numbers give the same SVG, so keep a few.
const memo = new Map<string, string>();
const MEMO_MAX = 64;
/** Label size when a caller gives none (the size decision 062's charts were laid out for). */
const DEFAULT_FONT_SIZE = 13;

/** A bar (or line) chart as a self-contained SVG string (memoised by its options). */
export function barChartSvg(opts: ChartOptions): string {
  const key = JSON.stringify(opts);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const svg = renderBarChart(opts);
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
  memo.set(key, svg);
  return svg;
}

function renderBarChart(opts: ChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 360;
  const fontSize = opts.fontSize ?? DEFAULT_FONT_SIZE;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const cat = { type: 'category' as const, data: opts.categories, axisLabel: { fontSize, color: '#1f2328', interval: 'auto' as const, hideOverlap: true } };
  const val = { type: 'value' as const, axisLabel: { fontSize, color: '#1f2328', hideOverlap: true }, minInterval: 1 };
  chart.setOption({
    animation: false,
    color: COLORS,
    aria: { enabled: true, label: { description: opts.title } },
    legend: opts.series.length > 1 ? { top: 0, textStyle: { fontSize, color: '#1f2328' }, itemGap: fontSize } : undefined,
    grid: { left: 8, right: fontSize * 1.5, top: opts.series.length > 1 ? fontSize * 3.5 : fontSize, bottom: 8, containLabel: true },
    xAxis: cat,
    yAxis: val,
    series: opts.series.map((s) => ({ name: s.name, type: opts.line ? 'line' : 'bar', data: s.data, barMaxWidth: 36, symbolSize: 6 })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return compactSvg(leanSvg(svg, fontSize));
}

/**
 * echarts' SSR output carries what only its client runtime uses (hydration metadata, hover
 * classes and their stylesheet, pointer-events) and a font stack on every label, written
 * with double quotes inside a double-quoted attribute (which broke the attribute). Labels
 * take the page's font instead; /stats went from 57 KB to the figure in decision 062.
 * The labels' size (fontSize) is said once, on the <svg>, instead of on every label.
 */
export function leanSvg(svg: string, fontSize = DEFAULT_FONT_SIZE): string {
  return (
    svg
      .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '')
      .replace(/ (?:ecmeta_[a-z_]+|pointer-events|xmlns:xlink|version|baseProfile|class)="[^"]*"/g, '')
      .replace(/<rect width="\d+" height="\d+" x="0" y="0" fill="none"><\/rect>\n?/, '')
      .replace(/font-family:[^;]*;/g, '')
      // Every label is fontSize px: one attribute on the <svg> (inherited) instead of one per label.
      .replace(new RegExp(` style="font-size:${fontSize}px;"`, 'g'), '')
      .replace(/<svg\b/, `<svg font-size="${fontSize}"`)
      .replace(/ style=""/g, '')
      .replace(/\n{2,}/g, '\n')
  );
}

/**
 * The same drawing in fewer bytes (issue 16: /stats draws every chart twice since decision 090,
 * and a cached page's speed follows its size). Nothing drawn changes:
 * - shapes that paint nothing (echarts' legend hit areas: no fill and no stroke, or fully
 *   transparent with a zero-width stroke) go;
 * - a label's `translate(a b)` is folded into its x/y, and the labels' colour and baseline are
 *   said once on the <svg> (both inherit; every shape carries its own fill);
 * - neighbouring paths with the same paint become one path (the grid lines, a series' bars);
 * - coordinates keep one decimal (a tenth of a CSS pixel), and empty paths close themselves.
 */
export function compactSvg(svg: string): string {
  const tenth = (n: string) => String(Math.round(Number(n) * 10) / 10);
  const out = svg
    .replace(/<path d="[^"]*"(?: transform="[^"]*")? fill="none"><\/path>\n?/g, '')
    .replace(/<path d="[^"]*"(?: transform="[^"]*")? fill="[^"]*" fill-opacity="0" stroke="[^"]*" stroke-width="0"><\/path>\n?/g, '')
    .replace(/-?\d+\.\d{2,}/g, tenth)
    .replace(
      /<text dominant-baseline="central" text-anchor="(\w+)"((?: [xy]="[^"]*")*) transform="translate\((-?[\d.]+) (-?[\d.]+)\)" fill="#1f2328">/g,
      (_m, anchor: string, xy: string, tx: string, ty: string) => {
        const x = Number(/ x="([^"]*)"/.exec(xy)?.[1] ?? 0) + Number(tx);
        const y = Number(/ y="([^"]*)"/.exec(xy)?.[1] ?? 0) + Number(ty);
        return `<text text-anchor="${anchor}" x="${tenth(String(x))}" y="${tenth(String(y))}">`;
      },
    )
    .replace(/<\/path>/g, '');
  // Merge runs of paths with identical paint: `<path d="A" P>` then `<path d="B" P>` → `<path d="AB" P>`.
  const merged = out.replace(/(?:<path d="[^"]*"[^>]*>\n?)+/g, (run) => {
    const parts = [...run.matchAll(/<path d="([^"]*)"([^>]*)>/g)];
    const lines: string[] = [];
    let d = '';
    let paint: string | null = null;
    for (const [, pd, attrs] of parts) {
      if (attrs === paint && !attrs.includes('transform=')) d += pd;
      else {
        if (paint !== null) lines.push(`<path d="${d}"${paint}/>`);
        d = pd;
        paint = attrs;
      }
    }
    if (paint !== null) lines.push(`<path d="${d}"${paint}/>`);
    return lines.join('\n') + '\n';
  });
  return merged.replace(/<svg\b/, '<svg fill="#1f2328" dominant-baseline="central"');
}
