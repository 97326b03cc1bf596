// The server's database handle: the process-wide client opened from config.
import { getDb, type Db } from '../../db/client.ts';
import { config } from './config.ts';

/** The database for the current process. */
export function appDb(): Promise<Db> {
  const c = config();
  return getDb({ url: c.databaseUrl, authToken: c.databaseAuthToken, syncUrl: c.databaseSyncUrl });
}
