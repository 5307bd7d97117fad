import { defineConfig } from 'drizzle-kit';

// The one migration set for the one SQLite file: every table of every module, wherever its schema lives.
// A new schema file goes in this list; `npm run db:generate` then writes the next migration.
export const schemaFiles = [
  './runtime/store/schema.ts',
  './runtime/reconciliation/schema.ts',
  './server/db/schema.ts',
  './server/lookups/store/schema.ts',
  './server/exceptions/store/schema.ts',
];

export default defineConfig({
  dialect: 'sqlite',
  schema: schemaFiles,
  out: './runtime/store/migrations',
  migrations: { table: '__migrations' },
});
