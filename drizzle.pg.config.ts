import { defineConfig } from 'drizzle-kit';
import { schemaFiles } from './drizzle.config.ts';

// The PostgreSQL migration set: the same tables as drizzle.config.ts's SQLite set, read from the `schema.pg.ts` beside
// each schema file (derived from it, runtime/store/pg-derive.ts). `npm run db:generate` writes both sets.
export const pgSchemaFiles = schemaFiles.map((f) => f.replace(/\.ts$/, '.pg.ts'));

export default defineConfig({
  dialect: 'postgresql',
  schema: pgSchemaFiles,
  out: './runtime/store/migrations-pg',
  migrations: { table: '__migrations' },
});
