import { Show } from "solid-js";
import type { GenerationView } from "../api.ts";
import { formatCost, formatDate } from "../format.ts";
import { ASPECT_RATIOS, DURATIONS, GRADES, MUSIC_MOODS, normalizeSettings } from "../settings.ts";
import { CostBreakdown } from "./cost-breakdown.tsx";

/** The prompt, the settings used and the cost (with its breakdown once the generation is complete). */
export function GenerationDetails(props: { generation: GenerationView }) {
  const settings = () => normalizeSettings(props.generation.settings);
  return (
    <section class="card details" aria-labelledby="details-title">
      <h2 id="details-title" class="section-title">
        Details
      </h2>
      <blockquote class="details-prompt">{props.generation.prompt}</blockquote>
      <dl class="details-list">
        <dt>Duration</dt>
        <dd>{DURATIONS[settings().duration_s]}</dd>
        <dt>Format</dt>
        <dd>
          {settings().aspect_ratio}{" "}
          <span class="muted">({ASPECT_RATIOS[settings().aspect_ratio].split(" · ")[0]})</span>
        </dd>
        <dt>Grade</dt>
        <dd>{GRADES[settings().grade]}</dd>
        <dt>Music</dt>
        <dd>{MUSIC_MOODS[settings().music_mood]}</dd>
        <dt>Seed</dt>
        <dd class="tabular">{settings().seed ?? "Random"}</dd>
        <dt>Enhanced planning</dt>
        <dd>{settings().enhanced_planning ? "On" : "Off"}</dd>
        <dt>Created</dt>
        <dd>{formatDate(props.generation.created_at)}</dd>
      </dl>
      <div class="details-cost">
        <span>Cost</span>
        <strong class="tabular" data-testid="generation-cost">
          {formatCost(props.generation.cost)}
        </strong>
      </div>
      <Show when={props.generation.cost_breakdown}>{(b) => <CostBreakdown breakdown={b()} />}</Show>
    </section>
  );
}
