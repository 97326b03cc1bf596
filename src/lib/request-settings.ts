// The site settings for this request, read once however many parts of the page ask for them
// (the Public layout always does, and many pages too).
import { appDb } from './db.ts';
import { getSettings, type Settings } from '../domain/settings/index.ts';

export function requestSettings(astro: { locals: App.Locals }): Promise<Settings> {
  return (astro.locals.settings ??= appDb().then(getSettings));
}
