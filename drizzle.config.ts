import { defineConfig } from "drizzle-kit";

/** `npm run db:generate` writes SQL migrations for wrangler and the tests from the drizzle schema. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/src/db/schema.ts",
  out: "./migrations",
});
