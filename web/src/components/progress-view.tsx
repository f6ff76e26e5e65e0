import { Show } from "solid-js";
import type { GenerationView } from "../api.ts";
import { formatElapsed } from "../format.ts";
import { StatusBadge } from "./status-badge.tsx";

/** What the step line says when the pipeline has not named a step. */
function defaultStep(status: GenerationView["status"]): string {
  if (status === "pending") return "Queued: waiting to start";
  if (status === "processing") return "Working";
  if (status === "completed") return "Done";
  if (status === "cancelled") return "Cancelled";
  return "Stopped";
}

/**
 * Progress of one generation: status, a bar, the current step and the elapsed time. Every
 * line has a fixed height and numbers use tabular figures, so nothing shifts as updates stream.
 */
export function ProgressView(props: {
  generation: GenerationView;
  /** Milliseconds since the generation was created, or null when unknown. */
  elapsedMs: number | null;
}) {
  const percent = () => Math.max(0, Math.min(100, Math.round(props.generation.progress)));
  const step = () => props.generation.current_step || defaultStep(props.generation.status);
  return (
    <section class="progress-view" aria-label="Progress">
      <div class="progress-head">
        <StatusBadge generation={props.generation} />
        <span class="progress-percent tabular" aria-hidden="true">
          {percent()}%
        </span>
      </div>
      <div
        class="progress-track"
        role="progressbar"
        aria-label="Generation progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent()}
        aria-valuetext={`${percent()}%: ${step()}`}
        data-status={props.generation.status}
      >
        <div class="progress-fill" style={{ transform: `scaleX(${percent() / 100})` }} />
      </div>
      <div class="progress-meta">
        {/* Announced politely: the step changes a handful of times, the percentage too often. */}
        <p class="progress-step" aria-live="polite" data-testid="progress-step">
          {step()}
        </p>
        <Show when={props.elapsedMs !== null}>
          <p class="progress-elapsed muted tabular" data-testid="elapsed">
            <time>{formatElapsed(props.elapsedMs ?? 0)}</time> elapsed
          </p>
        </Show>
      </div>
    </section>
  );
}
