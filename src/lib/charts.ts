// Server-rendered SVG charts with echarts (no client JavaScript). Output goes
// through src/components/SvgChart.astro only; docs/decisions/062-svg-charts.md.
import * as echarts from 'echarts';

const COLORS = ['#b22222', '#0a4fb8', '#8a6d1d', '#1a7f37', '#6f42c1', '#c2410c', '#0e7490', '#57606a'];

export interface Series {
  name: string;
  data: number[];
}

type ChartOptions = { categories: string[]; series: Series[]; width?: number; height?: number; horizontal?: boolean; line?: boolean; stack?: boolean; title: string };

// echarts SSR costs 10–100 ms per chart; the same numbers give the same SVG, so keep a few.
const memo = new Map<string, string>();
const MEMO_MAX = 64;

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
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const cat = { type: 'category' as const, data: opts.categories, axisLabel: { fontSize: 13, color: '#1f2328', interval: opts.horizontal ? 0 : ('auto' as const), hideOverlap: true } };
  const val = { type: 'value' as const, axisLabel: { fontSize: 13, color: '#1f2328' }, minInterval: 1 };
  chart.setOption({
    animation: false,
    color: COLORS,
    aria: { enabled: true, label: { description: opts.title } },
    legend: opts.series.length > 1 ? { top: 0, textStyle: { fontSize: 13, color: '#1f2328' } } : undefined,
    grid: { left: 8, right: 24, top: opts.series.length > 1 ? 56 : 16, bottom: 8, containLabel: true },
    xAxis: opts.horizontal ? val : cat,
    yAxis: opts.horizontal ? { ...cat, inverse: true } : val,
    series: opts.series.map((s) => ({ name: s.name, type: opts.line ? 'line' : 'bar', data: s.data, stack: opts.stack ? 'all' : undefined, barMaxWidth: 36, symbolSize: 6 })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return leanSvg(svg);
}

/**
 * echarts' SSR output carries what only its client runtime uses (hydration metadata, hover
 * classes and their stylesheet, pointer-events) and a font stack on every label, written
 * with double quotes inside a double-quoted attribute (which broke the attribute). Labels
 * take the page's font instead; /stats went from 57 KB to the figure in decision 062.
 */
export function leanSvg(svg: string): string {
  return (
    svg
      .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '')
      .replace(/ (?:ecmeta_[a-z_]+|pointer-events|xmlns:xlink|version|baseProfile|class)="[^"]*"/g, '')
      .replace(/<rect width="\d+" height="\d+" x="0" y="0" fill="none"><\/rect>\n?/, '')
      .replace(/font-family:[^;]*;/g, '')
      // Every label is 13 px (set below, and in global.css for .chart text): one rule instead of 76.
      .replace(/ style="font-size:13px;"/g, '')
      .replace(/ style=""/g, '')
      .replace(/\n{2,}/g, '\n')
  );
}
