import { STATUS_LABELS } from "../format.ts";

/** A generation's status as a coloured pill (colour is never the only cue: it has a label). */
export function StatusBadge(props: { status: keyof typeof STATUS_LABELS }) {
  return (
    <span class="badge" data-status={props.status}>
      <span class="badge-dot" aria-hidden="true" />
      {STATUS_LABELS[props.status]}
    </span>
  );
}
