// Charts without client JavaScript: the geometry of the HTML bar charts (barChart), and the SVG
// column chart, from which what echarts' SSR writes only for its client runtime is taken out
// while nothing that draws the chart is lost.
import { describe, expect, test } from 'vitest';
import * as echarts from 'echarts';
import { readFileSync } from 'node:fs';
import { BAR_COLOURS, COLORS, GREY, barChart, barChartSvg, chartPair, compactSvg, leanSvg, recentYearSeries } from '../../src/lib/charts.ts';

const months = Array.from({ length: 24 }, (_, i) => `${2025 + Math.floor(i / 12)}年${(i % 12) + 1}月`);

function rawSvg(): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 720, height: 360 });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: '"Noto Sans CJK SC", sans-serif' },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: months.map((_, i) => i * 10) }],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('leanSvg', () => {
  test('drops hydration metadata, hover styles and per-label fonts, keeps every shape and label', () => {
    const raw = rawSvg();
    expect(raw).toContain('ecmeta_');
    const lean = leanSvg(raw);
    expect(lean).not.toMatch(/ecmeta_|<style|font-family|pointer-events|class=/);
    // echarts' default 12 px labels are not the size said on the <svg>: they keep their style.
    expect(count(lean, /font-size:12px/g)).toBe(count(raw, /font-size:12px/g));
    expect(count(lean, /<path\b/g)).toBe(count(raw, /<path\b/g));
    expect(count(lean, /<text\b/g)).toBe(count(raw, /<text\b/g));
    for (const m of months.filter((_, i) => raw.includes(`>${months[i]}<`))) expect(lean).toContain(`>${m}<`);
    expect(lean.length).toBeLessThan(raw.length * 0.7);
  });

  test('every attribute is well formed (echarts quoted the font stack inside a quoted attribute)', () => {
    const lean = barChartSvg({
      title: '测试',
      categories: ['城关镇', '锦屏街道'],
      series: [
        { name: '志愿者', data: [12, 6] },
        { name: '队伍', data: [3, 2] },
      ],
    });
    for (const tag of lean.match(/<[a-z][^>]*>/g) ?? []) {
      expect(tag).toMatch(/^<[a-z]+(\s+[a-zA-Z:-]+="[^"]*")*\s*\/?>$/);
    }
    expect(lean).toContain('城关镇');
    expect(lean).toContain('志愿者');
    // Our labels are 13 px, said once on the <svg>: no inline copy of it is left.
    expect(count(lean, /<text\b/g)).toBeGreaterThan(3);
    expect(lean).not.toContain('font-size:13px');
  });
});

describe('chartPair (issue 18, item 2)', () => {
  const opts = { title: '测试', categories: months, series: [{ name: '服务时长（小时）', data: months.map((_, i) => i * 10) }] };
  const canvas = (svg: string) => ({ width: Number(svg.match(/<svg[^>]*\swidth="(\d+)"/)![1]), font: Number(svg.match(/<svg[^>]*\sfont-size="(\d+)"/)![1]) });

  test.each([
    [false, 328, 16],
    [true, 320, 20],
  ])('大字 %s: the phone drawing is as wide as a 360 px column (%i) with body-size labels (%i px), said once', (large, width, font) => {
    const { narrow, wide } = chartPair(opts, large);
    expect(canvas(narrow)).toEqual({ width, font });
    expect(canvas(wide)).toEqual({ width: 720, font });
    for (const svg of [narrow, wide]) {
      expect(svg).not.toMatch(/font-size:\d+px/);
      expect(svg).toContain(`>${months[0]}<`);
    }
  });
});

describe('barChart (docs/decisions/112: bar charts drawn once, in HTML)', () => {
  const widths = (c: ReturnType<typeof barChart>) => c.rows.map((r) => r.segments.map((s) => s.width));

  test.each([
    ['the longest row is 100 %, the others in proportion, to 0.1 %', [8, 6, 5, 1], [[100], [75], [62.5], [12.5]]],
    ['thirds round to a tenth of a percent', [3, 2, 1], [[100], [66.7], [33.3]]],
    ['a zero draws no segment', [4, 0], [[100], []]],
    ['all zero: nothing drawn, nothing divided by zero', [0, 0], [[], []]],
  ])('%s', (_title, data, expected) => {
    const chart = barChart(
      data.map((_, i) => `类别${i}`),
      [{ name: '人数', data }],
    );
    expect(widths(chart)).toEqual(expected);
    expect(chart.legend).toEqual([]);
    expect(chart.rows.map((r) => r.label)).toEqual(data.map((_, i) => `类别${i}`));
  });

  test('values are shown as the tables show them (zh-CN grouping); valueChars is the longest', () => {
    const chart = barChart(['城关镇', '锦屏街道'], [{ name: '服务人次', data: [23210, 7] }]);
    expect(chart.rows.map((r) => r.value)).toEqual(['23,210', '7']);
    expect(chart.valueChars).toBe(6);
  });

  test('stacked: one segment per non-zero series in series order, cut at the rounded running totals', () => {
    const chart = barChart(
      ['助人为乐', '孝老爱亲', '敬业奉献'],
      [
        { name: '2024年', data: [1, 0, 1] },
        { name: '2025年', data: [1, 2, 1] },
        { name: '2026年', data: [1, 1, 0] },
      ],
    );
    expect(chart.legend).toEqual([
      { name: '2024年', series: 0 },
      { name: '2025年', series: 1 },
      { name: '2026年', series: 2 },
    ]);
    expect(chart.rows.map((r) => r.segments)).toEqual([
      [
        { series: 0, width: 33.3 },
        { series: 1, width: 33.4 },
        { series: 2, width: 33.3 },
      ],
      [
        { series: 1, width: 66.7 },
        { series: 2, width: 33.3 },
      ],
      [
        { series: 0, width: 33.3 },
        { series: 1, width: 33.4 },
      ],
    ]);
    expect(chart.rows.map((r) => r.value)).toEqual(['3', '3', '2']);
  });

  test('a stacked row adds up to its own rounded length, whatever the split', () => {
    const series = Array.from({ length: 7 }, (_, k) => ({ name: `${2020 + k}年`, data: [1 + k, 3, 7 * k, 1] }));
    const chart = barChart(['甲', '乙', '丙', '丁'], series);
    const totals = [0, 1, 2, 3].map((i) => series.reduce((a, s) => a + s.data[i], 0));
    const max = Math.max(...totals);
    chart.rows.forEach((r, i) => {
      const sum = r.segments.reduce((a, s) => a + s.width, 0);
      expect(Math.round(sum * 10) / 10).toBe(Math.round((totals[i] / max) * 1000) / 10);
      for (const s of r.segments) expect(String(s.width)).toMatch(/^\d+(\.\d)?$/);
    });
  });

  test('series past the palette reuse its colours', () => {
    const series = Array.from({ length: BAR_COLOURS + 2 }, (_, k) => ({ name: `${k}`, data: [1] }));
    const chart = barChart(['甲'], series);
    expect(chart.legend.map((l) => l.series)).toEqual([...Array.from({ length: BAR_COLOURS }, (_, k) => k), 0, 1]);
    expect(chart.rows[0].segments.every((s) => s.series < BAR_COLOURS)).toBe(true);
  });
});

describe('compactSvg (issue 16: /stats in fewer bytes, the same drawing)', () => {
  const stacked = leanSvg(
    (() => {
      const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 720, height: 320 });
      chart.setOption({
        animation: false,
        legend: { top: 0 },
        yAxis: { type: 'category', data: ['助人为乐', '孝老爱亲', '敬业奉献'], inverse: true },
        xAxis: { type: 'value' },
        series: ['2025年', '2026年'].map((name, k) => ({ name, type: 'bar', stack: 'all', data: [3 + k, 5, 7 - k] })),
      });
      const svg = chart.renderToSVGString();
      chart.dispose();
      return svg;
    })(),
  );
  const subpaths = (svg: string, paint: string) =>
    [...svg.matchAll(/<path d="([^"]*)"([^>]*)>/g)].filter(([, , attrs]) => attrs.includes(paint)).reduce((n, [, d]) => n + (d.match(/M/g) ?? []).length, 0);
  const labels = (svg: string) => [...svg.matchAll(/<text\b[^>]*>([^<]*)</g)].map((m) => m[1]);

  test('keeps every bar, grid line and label, and is smaller by a fifth at least (about half on the charts of /stats)', () => {
    const compact = compactSvg(stacked);
    for (const paint of ['fill="#5070dd"', 'fill="#b6d634"', 'stroke="#dbdee4"']) {
      expect(subpaths(stacked, paint)).toBeGreaterThan(0);
      expect(subpaths(compact, paint)).toBe(subpaths(stacked, paint));
    }
    expect(labels(compact)).toEqual(labels(stacked));
    expect(compact.length).toBeLessThan(stacked.length * 0.8);
  });

  test('a label moved by translate(a b) lands at x = a + x, y = b + y; colour and baseline said once on the <svg>', () => {
    const svg = compactSvg('<svg width="10" height="10">\n<text dominant-baseline="central" text-anchor="start" x="30" y="7" transform="translate(172.32 6)" fill="#1f2328">2023年</text>\n</svg>');
    expect(svg).toContain('<text text-anchor="start" x="202.3" y="13">2023年</text>');
    expect(svg).toMatch(/^<svg fill="#1f2328" dominant-baseline="central" /);
  });

  test('shapes that paint nothing go; shapes with a transform are never merged', () => {
    const svg = compactSvg(
      '<svg>\n<path d="M0 -1l81.8 0l0 16l-81.8 0Z" transform="translate(172.32 6)" fill="none"></path>\n<path d="M0 0h1" transform="translate(1 1)" fill="#b22222"></path>\n<path d="M0 0h2" transform="translate(2 2)" fill="#b22222"></path>\n</svg>',
    );
    expect(svg).not.toContain('fill="none"');
    expect((svg.match(/<path\b/g) ?? []).length).toBe(2);
  });
});

describe('recentYearSeries: a stacked chart stays readable however many years', () => {
  const values = (y: number) => [y - 2000, 1];
  test('five years or fewer: one series each, colours in order', () => {
    const s = recentYearSeries([2024, 2022, 2023], values);
    expect(s.map((x) => [x.name, x.colour])).toEqual([
      ['2022年', 0],
      ['2023年', 1],
      ['2024年', 2],
    ]);
    expect(recentYearSeries([2021, 2022, 2023, 2024, 2025], values)).toHaveLength(5);
  });
  test('more: the earlier years summed into one grey series first, then the last four', () => {
    const years = Array.from({ length: 33 }, (_, i) => 1994 + i);
    const s = recentYearSeries(years, values);
    expect(s.map((x) => x.name)).toEqual(['1994–2022年', '2023年', '2024年', '2025年', '2026年']);
    expect(s[0].colour).toBe(GREY);
    expect(s[0].data).toEqual([years.slice(0, 29).reduce((a, y) => a + y - 2000, 0), 29]);
    const chart = barChart(['甲', '乙'], s);
    expect(new Set(chart.legend.map((l) => l.series)).size).toBe(5); // five colours, none repeated
    expect(chart.rows[1].value).toBe('33');
  });
});

test('the bar chart classes c1…c7 in global.css paint COLORS in order (c0 is the bar’s own colour)', () => {
  const css = readFileSync(new URL('../../src/styles/global.css', import.meta.url), 'utf8');
  const painted = [...css.matchAll(/\.bars \.c(\d+) \{\s*background: (#[0-9a-f]{6});/g)].map((m) => [Number(m[1]), m[2]]);
  expect(painted).toEqual(COLORS.slice(1).map((c, i) => [i + 1, c]));
  expect(/\.bars i \{[^}]*background: (#[0-9a-f]{6})/.exec(css)?.[1]).toBe(COLORS[0]);
});
