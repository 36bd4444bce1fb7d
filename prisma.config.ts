import { defineConfig } from 'prisma/config';

// Loa applies and creates migrations with Prisma's WASM schema engine (prisma/migrate.ts),
// so this file only tells the CLI (generate, and `migrate deploy` on connected machines)
// where the schema and migrations are.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/loa' },
});
