// @ts-check
import { defineConfig, envField } from 'astro/config';
import node from '@astrojs/node';

// Configuration is declared here for astro:env; scripts/start.mjs validates it
// first (src/lib/config.ts) so a bad value stops start-up with one clear line.
export default defineConfig({
  output: 'server',
  // Middleware mode: scripts/server.mjs is the HTTP server; it serves dist/client itself (scripts/static-files.mjs).
  adapter: node({ mode: 'middleware' }),
  // Photos up to 10 MB plus attachments (issue 7, docs/decisions/052).
  security: { checkOrigin: true, actionBodySizeLimit: 24 * 1024 * 1024 },
  // Our own sessions live in the database (issue 3, docs/decisions/010); Astro's file-backed session API stays off.
  session: false,
  server: { port: 4321, host: true },
  devToolbar: { enabled: false },
  build: { inlineStylesheets: 'always' },
  env: {
    schema: {
      DATABASE_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      DATABASE_AUTH_TOKEN: envField.string({ context: 'server', access: 'secret', optional: true }),
      DATABASE_SYNC_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      UPLOADS_DIR: envField.string({ context: 'server', access: 'secret', optional: true }),
      SITE_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      SMTP_URL: envField.string({ context: 'server', access: 'secret', optional: true }),
      SECRET_KEY: envField.string({ context: 'server', access: 'secret', optional: true }),
      SEED_DEMO: envField.string({ context: 'server', access: 'secret', optional: true }),
      TRUST_PROXY: envField.string({ context: 'server', access: 'secret', optional: true }),
    },
    validateSecrets: false,
  },
  vite: {
    build: { assetsInlineLimit: 0 },
    ssr: { external: ['@node-rs/argon2', 'sharp', '@libsql/client', 'libsql', 'pdfkit', 'exceljs', 'echarts'] },
  },
});
