import { applyD1Migrations, env } from "cloudflare:test";

// The same SQL files wrangler applies: tests run on the real schema, not a copy of it.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
