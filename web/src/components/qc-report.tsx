import { For, Show } from "solid-js";
import type { GenerationView } from "../api.ts";

/** A finished ad's QC report, as the render container measured it on the file. */
export type QcReportValue = NonNullable<GenerationView["qc"]>;
type QcCheck = QcReportValue["checks"][number];

/** What each check measures, in words a marketer reads. */
const CHECK_LABELS: Record<QcCheck["check"], string> = {
  loudness: "Loudness",
  true_peak: "True peak",
  black_frames: "Black frames",
  frozen_frames: "Frozen picture",
  duration: "Duration",
  audio_tail: "Sound to the end",
  format: "Format and size",
  safe_zone: "Text in the safe zone",
  contrast: "Text contrast",
  copy_facts: "Prompt facts on screen",
};

const STATUS_TEXT: Record<QcCheck["status"], string> = { pass: "Pass", fixed: "Fixed", warn: "Warning" };

/**
 * The QC badge (pass, or how many warnings) that opens to each check's figure and sentence.
 * A check the renderer fixed before the ad was ready reads "Fixed", with the before and after.
 */
export function QcReport(props: { report: QcReportValue }) {
  const warnings = () => props.report.checks.filter((c) => c.status === "warn").length;
  const fixed = () => props.report.checks.filter((c) => c.status === "fixed").length;
  const summary = () =>
    props.report.status === "pass"
      ? `QC passed${fixed() ? ` (${fixed()} fixed)` : ""}`
      : `QC: ${warnings()} warning${warnings() === 1 ? "" : "s"}`;
  return (
    <section class="card qc" aria-label="Quality check" data-testid="qc-report">
      <details open={props.report.status === "warn"}>
        <summary>
          <span class="qc-badge" data-status={props.report.status}>
            {summary()}
          </span>
          <span class="muted small"> measured on the finished file</span>
        </summary>
        <ul class="qc-checks">
          <For each={props.report.checks}>
            {(check) => (
              <li data-status={check.status} data-check={check.check}>
                <span class="qc-check-status" data-status={check.status}>
                  {STATUS_TEXT[check.status]}
                </span>
                <span class="qc-check-name">{CHECK_LABELS[check.check] ?? check.check}</span>
                <Show when={check.detail}>
                  <span class="qc-check-detail muted small">{check.detail}</span>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </details>
    </section>
  );
}
