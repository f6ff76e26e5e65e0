import { createAsync } from "@solidjs/router";
import { createMemo, Show, Suspense } from "solid-js";
import { type CostEstimate as Estimate, getEstimate } from "../api.ts";
import { formatCost } from "../format.ts";
import type { GenerationSettings } from "../settings.ts";

/**
 * The estimated price of a generation with these settings, from the server's price table,
 * before the user commits. Asked again only when a setting that changes the price changes.
 */
export function CostEstimate(props: { settings: GenerationSettings }) {
  const duration = createMemo(() => props.settings.duration_s);
  const enhanced = createMemo(() => props.settings.enhanced_planning);
  // A failed quote reads "unavailable" instead of taking the whole form down with it.
  const estimate = createAsync(() =>
    getEstimate(duration(), enhanced()).catch((err: unknown) => {
      console.warn("promptreel: no cost estimate", err);
      return null;
    }),
  );
  return (
    <p class="cost-estimate" aria-live="polite">
      <span class="muted">Estimated cost</span>{" "}
      <strong class="tabular" data-testid="cost-estimate">
        {/* Its own boundary: a slow quote must not blank the whole form. */}
        <Suspense fallback="…">{label(estimate())}</Suspense>
      </strong>
    </p>
  );
}

/** "$0.42"; "$0.00 (offline)" when every provider is a local one; "unavailable" on failure. */
function label(e: Estimate | null | undefined): string {
  if (e === undefined) return "…";
  if (e === null) return "unavailable";
  return `${formatCost(e.amount)}${e.offline ? " (offline)" : ""}`;
}

/**
 * The estimated total of several variations: one quote per variation, summed (the cached price
 * query asks the server once per duration and planning pair). Shared work (one specification,
 * identical clips) can make the real cost lower, never higher.
 */
export function TotalEstimate(props: { settings: GenerationSettings[] }) {
  // Only what changes a price; editing a grade or a name asks nothing.
  const priced = createMemo(
    () => props.settings.map((s) => [s.duration_s, s.enhanced_planning] as const),
    [],
    { equals: (a, b) => a.length === b.length && a.every(([d, e], i) => d === b[i]?.[0] && e === b[i]?.[1]) },
  );
  const estimate = createAsync(() => {
    return Promise.all(priced().map(([d, e]) => getEstimate(d, e))).then(
      (quotes): Estimate => ({
        amount: Math.round(quotes.reduce((sum, q) => sum + q.amount, 0) * 1e6) / 1e6,
        offline: quotes.every((q) => q.offline),
      }),
      (err: unknown) => {
        console.warn("promptreel: no cost estimate", err);
        return null;
      },
    );
  });
  return (
    <p class="cost-estimate" aria-live="polite">
      <span class="muted">
        Estimated total
        <Show when={props.settings.length}>{(n) => <> for {n()} variations</>}</Show>
      </span>{" "}
      <strong class="tabular" data-testid="total-estimate">
        <Suspense fallback="…">{label(estimate())}</Suspense>
      </strong>
    </p>
  );
}
