// Serves private evidence (claim, nomination and lecture photos) to the people its record names, and
// answers everyone else — signed in or not — with the same 404, so a name's existence is never
// confirmed (docs/decisions/076). Never cached, by browsers or by the page cache.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { config } from '../../lib/config.ts';
import { fileResponse } from '../../lib/serve-file.ts';
import { privateFileFor } from '../../domain/media/private.ts';

export const GET: APIRoute = async ({ params, locals, request }) => {
  const served = await privateFileFor(await appDb(), config().uploadsDir, params.file ?? '', locals.user);
  return fileResponse(request, served);
};
