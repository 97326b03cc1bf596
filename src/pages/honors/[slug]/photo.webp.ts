// A honoree's photo: served only while the entry is public and its photo consent is recorded, so
// revoking consent or withdrawing the entry stops it at once (docs/decisions/041, 076).
import type { APIRoute } from 'astro';
import { appDb } from '../../../lib/db.ts';
import { config } from '../../../lib/config.ts';
import { fileResponse } from '../../../lib/serve-file.ts';
import { honoreePhotoFile } from '../../../domain/media/index.ts';

export const GET: APIRoute = async ({ params, request }) => {
  const served = await honoreePhotoFile(await appDb(), config().uploadsDir, params.slug ?? '');
  return fileResponse(request, served);
};
