/**
 * The monthly spending cap. A user may set a budget in USD; a generate, a comparison or a
 * storyboard approval whose estimate exceeds what is left this calendar month (UTC) is refused
 * with 402 before anything starts or is charged. Spend is what completions charged this month
 * (users.month_spend_usd, kept in the same statement as the lifetime total), so it is exact.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { users } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

/** `YYYY-MM` (UTC) of an epoch-ms time: the month a charge belongs to. */
export const spendMonthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const usd = (x: number) => `$${x.toFixed(2)}`;

/** The user's budget, this month's spend and what is left (null: no cap). */
export async function budgetOf(env: Env, userId: string, now = Date.now()) {
  const row = await getDb(env)
    .select({ budget: users.monthlyBudgetUsd, spent: users.monthSpendUsd, month: users.spendMonth })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  const spent = row && row.month === spendMonthOf(now) ? row.spent : 0;
  const budget = row?.budget ?? null;
  return {
    monthly_budget_usd: budget,
    spent_this_month_usd: round(spent),
    remaining_usd: budget === null ? null : round(Math.max(0, budget - spent)),
    month: spendMonthOf(now),
  };
}

/** Throws 402 when `estimate` (USD) is more than what is left of the user's monthly budget. */
export async function assertWithinBudget(env: Env, userId: string, estimate: number, what: string) {
  const { remaining_usd } = await budgetOf(env, userId);
  if (remaining_usd === null || estimate <= remaining_usd + 1e-9) return;
  throw new ApiError(
    402,
    "payment_required",
    `${what} is estimated at ${usd(estimate)}, but only ${usd(remaining_usd)} of your monthly budget is left. Raise the budget or wait for next month.`,
    { details: { estimate_usd: round(estimate), remaining_usd } },
  );
}
