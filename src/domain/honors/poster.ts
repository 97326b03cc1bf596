// QR codes for the printable poster: server-rendered SVG, embedded as a data: image (no set:html).
import QRCode from 'qrcode';

/** An SVG QR code for `url` as a data: URL. */
export async function qrDataUrl(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
