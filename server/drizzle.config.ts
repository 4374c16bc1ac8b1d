/**
 * drizzle-kit configuration: `npx drizzle-kit generate --name <what>` (run in `server/`) diffs
 * `src/db/schema.ts` against the last snapshot in `../migrations/meta` and writes the next SQL
 * migration there. It needs no database connection; the server applies the folder at start-up.
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: '../migrations',
});
