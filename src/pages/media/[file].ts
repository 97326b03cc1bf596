// Serves media-library files by generated name (docs/decisions/052, 076): to the public only while a
// published article or honoree uses the file, to console staff always; anything else is a 404.
// There is no numeric /media/<id> route: nothing here can be found by counting.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { config } from '../../lib/config.ts';
import { fileResponse } from '../../lib/serve-file.ts';
import { libraryFileFor } from '../../domain/media/index.ts';

export const GET: APIRoute = async ({ params, locals, request }) => {
  const served = await libraryFileFor(await appDb(), config().uploadsDir, params.file ?? '', locals.user);
  return fileResponse(request, served);
};
