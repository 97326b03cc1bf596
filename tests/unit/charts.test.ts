// Server-side SVG charts: what echarts' SSR writes only for its client runtime is taken out,
// and nothing that draws the chart is lost.
import { describe, expect, test } from 'vitest';
import * as echarts from 'echarts';
import { barChartSvg, chartPair, leanSvg } from '../../src/lib/charts.ts';

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
      expect(tag).toMatch(/^<[a-z]+(\s+[a-zA-Z:-]+="[^"]*")*\s*>$/);
    }
    expect(lean).toContain('城关镇');
    expect(lean).toContain('志愿者');
    // Our labels are 13 px, said once on the <svg>: no inline copy of it is left.
    expect(count(lean, /<text\b/g)).toBeGreaterThan(3);
    expect(lean).not.toContain('font-size:13px');
  });
});

describe('chartPair (issue 18, item 2)', () => {
  const opts = { title: '测试', categories: ['城关镇', '锦屏街道', '青石街道'], series: [{ name: '志愿者（人）', data: [12, 6, 6] }], horizontal: true };
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
      for (const c of opts.categories) expect(svg).toContain(`>${c}<`);
    }
  });

  test('rows get taller with the label size, so 20 px labels do not overlap', () => {
    const h = (svg: string) => Number(svg.match(/<svg[^>]*\sheight="(\d+)"/)![1]);
    expect(h(chartPair(opts, true).narrow)).toBeGreaterThan(h(chartPair(opts, false).narrow));
  });
});
