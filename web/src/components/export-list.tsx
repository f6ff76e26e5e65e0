/**
 * The exports of an ad, newest first, in the export dialog: each variant ("WebM · 720p · 1:1"),
 * its progress while queued or processing (with Cancel), its size and duration once made (with
 * the download and the caption files), and why it failed (or that it was cancelled).
 */
import { For, Match, Show, Switch } from "solid-js";
import type { ExportView } from "../api.ts";
import { formatBytes } from "../assets.ts";
import { exportName, exportTitle, isCancelledExport, isOpenExport, presetLabel } from "../exports/formats.ts";

export function ExportList(props: {
  exports: readonly ExportView[];
  loaded: boolean;
  /** The export whose cancel is being sent, if any. */
  cancelling: string | null;
  onCancel: (exportId: string) => void;
}) {
  return (
    <section class="export-list-section" aria-labelledby="export-list-title">
      <h3 id="export-list-title" class="export-section-title">
        Your exports
      </h3>
      <Show
        when={props.exports.length}
        fallback={
          <p class="muted small" data-testid="export-list-empty">
            {props.loaded ? "No exports yet: pick a platform or make your own." : "Loading exports…"}
          </p>
        }
      >
        <ul class="export-list" aria-label="Exports">
          <For each={props.exports}>
            {(e) => (
              <ExportRow
                export={e}
                cancelling={props.cancelling === e.export_id}
                onCancel={() => props.onCancel(e.export_id)}
              />
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}

/** "12.3 MB · 15.0 s" (either may be unknown). */
function madeText(e: ExportView): string {
  const parts = [];
  if (e.size_bytes !== null) parts.push(formatBytes(e.size_bytes));
  if (e.duration_s !== null) parts.push(`${e.duration_s.toFixed(1)} s`);
  return parts.join(" · ");
}

function ExportRow(props: { export: ExportView; cancelling: boolean; onCancel: () => void }) {
  const e = () => props.export;
  const name = () => exportName(e());
  return (
    <li class="export-row" data-status={e().status} data-testid="export-row">
      <div class="export-row-head">
        <span class="export-name">{exportTitle(e())}</span>
        <Show when={presetLabel(e().preset)}>{(label) => <span class="badge">{label()}</span>}</Show>
      </div>
      <Switch>
        <Match when={isOpenExport(e())}>
          <div class="export-progress">
            <progress max="100" value={e().progress} aria-label={`Export progress ${name()}`} />
            <span class="muted small tabular export-progress-text">
              {e().status === "queued" ? "Queued" : `Exporting… ${e().progress}%`}
            </span>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label={`Cancel export ${name()}`}
              disabled={props.cancelling}
              onClick={() => props.onCancel()}
            >
              {props.cancelling ? "Cancelling…" : "Cancel"}
            </button>
          </div>
        </Match>
        <Match when={e().status === "completed"}>
          <p class="muted small tabular export-made" data-testid="export-made">
            {madeText(e())}
          </p>
          <div class="export-links">
            <Show when={e().download_url}>
              {(url) => (
                <a class="btn btn-primary btn-sm" href={url()} download="" aria-label={`Download ${name()}`}>
                  Download
                </a>
              )}
            </Show>
            <a class="btn btn-ghost btn-sm" href={e().captions.vtt_url} download="">
              Captions (VTT)
            </a>
            <a class="btn btn-ghost btn-sm" href={e().captions.srt_url} download="">
              Captions (SRT)
            </a>
          </div>
        </Match>
        <Match when={isCancelledExport(e())}>
          <p class="muted small">Cancelled</p>
        </Match>
        <Match when={e().status === "failed"}>
          <p class="field-error small">{e().error ?? "The export failed."}</p>
        </Match>
      </Switch>
    </li>
  );
}
