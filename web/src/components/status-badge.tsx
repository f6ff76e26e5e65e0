import type { GenerationView } from "@promptreel/worker/views";
import { isCancelled, STATUS_LABELS } from "../format.ts";

/**
 * A generation's status as a coloured pill (colour is never the only cue: it has a label).
 * A failure the user asked for reads "Cancelled", not "Failed".
 */
export function StatusBadge(props: { generation: Pick<GenerationView, "status" | "error_code"> }) {
  const cancelled = () => isCancelled(props.generation);
  return (
    <span class="badge" data-status={props.generation.status} data-cancelled={cancelled() || undefined}>
      <span class="badge-dot" aria-hidden="true" />
      {cancelled() ? "Cancelled" : STATUS_LABELS[props.generation.status]}
    </span>
  );
}
