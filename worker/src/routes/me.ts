/** The signed-in user: account, lifetime spend and the monthly budget. */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { notFound } from "../lib/errors.ts";
import { jsonBody } from "../lib/validate.ts";
import { budgetOf } from "../limits/budget.ts";
import { publicUser } from "./serialize.ts";

/** `null` removes the cap. */
const BudgetSchema = z.object({ monthly_usd: z.number().min(0).max(100_000).nullable() }).strict();

export const meRoutes = new Hono<AppEnv>()
  .get("/me", requireUser, async (c) => {
    const row = await getDb(c.env)
      .select()
      .from(users)
      .where(eq(users.id, c.get("user").id))
      .get();
    if (!row) throw notFound("User");
    return c.json({ user: publicUser(row), budget: await budgetOf(c.env, row.id) }, 200);
  })
  /** The monthly spending cap: generate, comparisons and approvals beyond it get 402. */
  .put("/me/budget", requireUser, jsonBody(BudgetSchema), async (c) => {
    const userId = c.get("user").id;
    await getDb(c.env)
      .update(users)
      .set({ monthlyBudgetUsd: c.req.valid("json").monthly_usd })
      .where(eq(users.id, userId));
    return c.json(await budgetOf(c.env, userId), 200);
  });
