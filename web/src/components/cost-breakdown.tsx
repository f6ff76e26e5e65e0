import { For, Show } from "solid-js";
import type { GenerationView } from "../api.ts";
import { formatCost } from "../format.ts";

/** The per-stage cost record the pipeline stores with a finished generation. */
export type CostBreakdownValue = NonNullable<GenerationView["cost_breakdown"]>;

/**
 * What a finished generation cost, stage by stage and clip by clip (model and seconds of
 * video), with the total. Amounts come from the providers' own figures; local ones cost 0.
 */
export function CostBreakdown(props: { breakdown: CostBreakdownValue }) {
  return (
    <table class="breakdown" data-testid="cost-breakdown">
      <caption class="section-title">Cost breakdown</caption>
      <tbody>
        <Row label="Script" amount={props.breakdown.enhance} />
        <Row label="Scene plan" amount={props.breakdown.plan} />
        {/* Only storyboards draw keyframes; auto generations never show the row. */}
        <Show when={props.breakdown.keyframes > 0}>
          <Row label="Storyboard keyframes" amount={props.breakdown.keyframes} />
        </Show>
        <For each={[...props.breakdown.clips].sort((a, b) => a.scene - b.scene)}>
          {(clip) => (
            <Row
              label={`Scene ${clip.scene + 1} clip`}
              detail={`${modelName(clip.model)} · ${clip.seconds.toFixed(1)} s`}
              amount={clip.cost}
            />
          )}
        </For>
        <Row label="Compose" detail="Overlays, music, export" amount={props.breakdown.compose} />
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td class="tabular">{formatCost(props.breakdown.total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function Row(props: { label: string; detail?: string; amount: number }) {
  return (
    <tr>
      <th scope="row">
        {props.label}
        <Show when={props.detail}>{(d) => <span class="breakdown-detail muted">{d()}</span>}</Show>
      </th>
      <td class="tabular">{formatCost(props.amount)}</td>
    </tr>
  );
}

/** "motion-renderer-v1" from "offline:motion-renderer-v1" or "owner/model-name". */
function modelName(model: string): string {
  return model.split(/[:/]/).at(-1) || model;
}
