// Liveness and database check, as JSON.
import type { APIRoute } from 'astro';
import { sql } from 'drizzle-orm';
import { appDb } from '../lib/db.ts';

export const GET: APIRoute = async () => {
  const started = performance.now();
  try {
    const db = await appDb();
    await db.run(sql`SELECT 1`);
    return Response.json({ status: 'ok', database: 'ok', ms: Math.round(performance.now() - started) }, { headers: { 'Cache-Control': 'no-store' } });
  } catch {
    return Response.json({ status: 'error', database: 'unreachable' }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
  }
};
