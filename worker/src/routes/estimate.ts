/**
 * The price quote shown before Generate: the providers this environment would choose, priced
 * through the one price table for the chosen duration, planning and number of variations.
 */
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import type { AppEnv } from "../env.ts";
import { queryParams } from "../lib/validate.ts";
import { quoteGeneration } from "../pipeline/quote.ts";
import { MAX_VARIATIONS } from "../pipeline/rules.ts";
import { providersFromEnv } from "../providers/index.ts";

const EstimateQuerySchema = z.object({
  duration_s: z.enum(["15", "30", "60"]).default("15"),
  enhanced_planning: z.enum(["true", "false"]).default("false"),
  variations: z.coerce.number().int().min(1).max(MAX_VARIATIONS).default(1),
});

export const estimateRoutes = new Hono<AppEnv>().get(
  "/estimate",
  requireUser,
  queryParams(EstimateQuerySchema),
  async (c) => {
    const q = c.req.valid("query");
    const one = quoteGeneration(providersFromEnv(c.env), {
      duration_s: Number(q.duration_s) as 15 | 30 | 60,
      enhanced_planning: q.enhanced_planning === "true",
    });
    return c.json(
      {
        currency: "USD",
        per_generation: one.total,
        total: Math.round(one.total * q.variations * 1e6) / 1e6,
        breakdown: { llm: one.llm, video: one.video, compose: 0 },
        providers: one.providers,
      },
      200,
    );
  },
);
