// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// Configuration is not declared here: every variable is parsed once by src/lib/config.ts, which
// scripts/start.mjs runs before anything else (astro:env removed, docs/decisions/085).
export default defineConfig({
  output: 'server',
  // Middleware mode: src/server/http-server.ts is the HTTP server; it serves dist/client itself (src/server/static-files.ts).
  adapter: node({ mode: 'middleware' }),
  // Photos up to 10 MB plus attachments (issue 7, docs/decisions/052). The origin check is ours
  // (src/middleware/same-origin.ts): Astro's answered cross-site forms before our middleware ran,
  // in English and without security headers (docs/decisions/085).
  security: { checkOrigin: false, actionBodySizeLimit: 24 * 1024 * 1024 },
  // Our own sessions live in the database (issue 3, docs/decisions/010); Astro's file-backed session API stays off.
  session: false,
  server: { port: 4321, host: true },
  devToolbar: { enabled: false },
  // Stylesheets are files (hashed /_astro/*.css, cached for a year by src/server/static-files.ts), not
  // inlined into every page: inlined, they made each answer 14 KB heavier (docs/decisions/098).
  build: { inlineStylesheets: 'never' },
  vite: {
    build: { assetsInlineLimit: 0 },
    ssr: { external: ['@node-rs/argon2', 'sharp', '@libsql/client', 'libsql', 'pdfkit', 'exceljs', 'echarts'] },
  },
});
