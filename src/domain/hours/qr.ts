// QR codes as SVG data URIs (img src; CSP allows data: images).
import QRCode from 'qrcode';

/** An <img>-ready data URI of a QR code for the text. */
export async function qrDataUri(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
