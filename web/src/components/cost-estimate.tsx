import { createAsync } from "@solidjs/router";
import { Suspense } from "solid-js";
import { type CostEstimate as Estimate, estimateCost } from "../api.ts";
import { formatCost } from "../format.ts";
import type { GenerationSettings } from "../settings.ts";

/** The estimated price of a generation with these settings, before the user commits. */
export function CostEstimate(props: { settings: GenerationSettings }) {
  const estimate = createAsync(() => estimateCost(props.settings));
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

/** "$0.00 (offline)" while there is no pricing endpoint, "$0.42" after. */
function label(e: Estimate | undefined): string {
  if (!e) return "…";
  return `${formatCost(e.amount)}${e.offline ? " (offline)" : ""}`;
}
