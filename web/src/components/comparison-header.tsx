import type { Comparison } from "../api.ts";
import { describeDifferences } from "../compare.ts";
import { formatCost, formatDate } from "../format.ts";

/** The comparison's title line: how many variations of which kind, when, the total, what differs. */
export function ComparisonHeader(props: { comparison: Comparison }) {
  return (
    <header class="page-head comparison-head">
      <div>
        <h1>Compare variations</h1>
        <p class="muted">
          {props.comparison.variations.length}{" "}
          {props.comparison.comparison_type === "prompt" ? "prompts" : "settings profiles"} · created{" "}
          {formatDate(props.comparison.created_at)} · total{" "}
          <strong class="tabular" data-testid="comparison-total">
            {formatCost(props.comparison.total_cost)}
          </strong>
        </p>
        <p class="differs-summary" data-testid="differing-fields">
          <span class="muted">Differs:</span> {describeDifferences(props.comparison.differing_fields)}
        </p>
      </div>
    </header>
  );
}
