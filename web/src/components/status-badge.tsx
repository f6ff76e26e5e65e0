import { CANCELLED_ERROR, STATUS_LABELS } from "../format.ts";

/**
 * A generation's status as a coloured pill (colour is never the only cue: it has a label).
 * A failure the user asked for reads "Cancelled", not "Failed".
 */
export function StatusBadge(props: { status: keyof typeof STATUS_LABELS; error?: string | null }) {
  const cancelled = () => props.status === "failed" && props.error === CANCELLED_ERROR;
  return (
    <span class="badge" data-status={props.status} data-cancelled={cancelled() || undefined}>
      <span class="badge-dot" aria-hidden="true" />
      {cancelled() ? "Cancelled" : STATUS_LABELS[props.status]}
    </span>
  );
}
