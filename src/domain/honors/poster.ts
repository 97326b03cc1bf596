// The A3 善行义举榜 poster (issue 19 item 4): honorees split into sheets of at most 30, each sheet a grid
// chosen for its own count so the cards fill the paper (1 large … 5 × 6), with QR codes per honoree as
// server-rendered SVG embedded as data: images (no set:html).
import QRCode from 'qrcode';

/** An SVG QR code for `url` as a data: URL. */
export async function qrDataUrl(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** Most honorees on one A3 sheet: beyond this the cards get too small to read from a step away. */
export const POSTER_PER_SHEET = 30;

/** Columns for n cards on a portrait sheet: 1 large, 2 stacked, then 2, 3, 4 or 5 across. */
export function posterColumns(n: number): number {
  return n <= 2 ? 1 : n <= 4 ? 2 : n <= 12 ? 3 : n <= 20 ? 4 : 5;
}

/**
 * Rows of one sheet: as many as the columns need, the cards spread evenly over them (7 → 3 + 2 + 2), so
 * a short row has wider cards instead of an empty cell.
 */
export function posterRows<T>(items: T[]): T[][] {
  if (!items.length) return [];
  const rows = Math.ceil(items.length / posterColumns(items.length));
  const base = Math.floor(items.length / rows);
  const extra = items.length % rows;
  const out: T[][] = [];
  let at = 0;
  for (let r = 0; r < rows; r++) {
    const take = base + (r < extra ? 1 : 0);
    out.push(items.slice(at, at + take));
    at += take;
  }
  return out;
}

/**
 * The sheets of a poster, each a list of rows: items split evenly over the sheets (31 → 16 + 15, not
 * 30 + 1, so no sheet is nearly empty).
 */
export function posterSheets<T>(items: T[]): T[][][] {
  if (!items.length) return [];
  const sheets = Math.ceil(items.length / POSTER_PER_SHEET);
  const per = Math.ceil(items.length / sheets);
  const out: T[][][] = [];
  for (let i = 0; i < items.length; i += per) out.push(posterRows(items.slice(i, i + per)));
  return out;
}
