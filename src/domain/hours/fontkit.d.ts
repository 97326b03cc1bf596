// The part of fontkit (pdfkit's font engine) used for per-character fallback.
declare module 'fontkit' {
  export function create(buffer: Buffer): { hasGlyphForCodePoint(codePoint: number): boolean };
}
