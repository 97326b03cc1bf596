// Shared column helpers. Instants are UTC epoch milliseconds (docs/architecture.md "Conventions").
import { integer } from 'drizzle-orm/sqlite-core';

/** Creation instant in epoch ms, filled by SQLite when omitted. */
export const createdAt = () =>
  integer('created_at')
    .notNull()
    .$defaultFn(() => Date.now());
