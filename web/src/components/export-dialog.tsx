/**
 * "Export" on a finished ad's page: a modal on the native `<dialog>` (focus trapped by the
 * browser, Escape and Close close it, focus goes back to the button that opened it) with the
 * platform presets, a preview of each aspect ratio, a custom export (format, quality, aspect),
 * the list of exports with their progress and downloads, and the ad's metadata as a JSON file.
 * Nothing is read until it opens; while open, running exports are followed by polling.
 */
import { createEffect, createSignal, createUniqueId, For, type JSX, Show, untrack } from "solid-js";
import { ApiError, type ExportRequest, fetchMetadata, type GenerationView, messageOf } from "../api.ts";
import {
  ASPECTS,
  type ExportAspect,
  type ExportFormat,
  type ExportQuality,
  exportTitle,
  FORMATS,
  metadataFileName,
  PRESETS,
  presetSummary,
  QUALITIES,
} from "../exports/formats.ts";
import { createExports, type Started } from "../exports/use-exports.ts";
import { normalizeSettings } from "../settings.ts";
import { ExportList } from "./export-list.tsx";

export function ExportDialog(props: { open: boolean; generation: GenerationView; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  let closeButton!: HTMLButtonElement;
  let opener: HTMLElement | null = null;
  const id = createUniqueId();
  const adAspect = () => normalizeSettings(props.generation.settings).aspect_ratio;
  const exports = createExports(() => props.generation.generation_id);

  const [format, setFormat] = createSignal<ExportFormat>("mp4");
  const [quality, setQuality] = createSignal<ExportQuality>(1080);
  const [aspect, setAspect] = createSignal<ExportAspect>(untrack(adAspect));
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [cancelling, setCancelling] = createSignal<string | null>(null);

  createEffect(() => {
    if (props.open) {
      if (dialog.open) return;
      opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setError(null);
      setNotice(null);
      dialog.showModal();
      closeButton.focus();
      untrack(exports.follow);
    } else {
      if (dialog.open) dialog.close();
      exports.stop();
      opener?.focus();
      opener = null;
    }
  });

  const run = async (body: ExportRequest) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(startedText(await exports.start(body)));
    } catch (err) {
      // A 401 has already ended the session; the guard is taking the user to sign-in.
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (exportId: string) => {
    setCancelling(exportId);
    setError(null);
    try {
      await exports.cancel(exportId);
    } catch (err) {
      setError(err);
    } finally {
      setCancelling(null);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="dialog export-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      // A second Escape in a row may close it without a cancelable cancel: keep the page in step.
      onClose={() => {
        if (props.open) props.onClose();
      }}
    >
      <div class="export-dialog-head">
        <h2 id={`${id}-title`} class="dialog-title">
          Export your ad
        </h2>
        <button ref={closeButton} type="button" class="btn btn-ghost btn-sm" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
      <Show when={props.generation.versions.length > 1}>
        <p class="muted small">
          Exports are made from the latest version (version {props.generation.versions.at(-1)?.version}).
        </p>
      </Show>

      <ExportSection title="For a platform" id={`${id}-presets`}>
        <div class="export-presets">
          <For each={PRESETS}>
            {(preset) => (
              <button
                type="button"
                class="export-preset"
                disabled={busy()}
                onClick={() => void run({ preset: preset.name })}
              >
                <span class="export-preset-name">{preset.label}</span>{" "}
                <span class="export-preset-spec muted small">{presetSummary(preset, adAspect())}</span>
              </button>
            )}
          </For>
        </div>
      </ExportSection>

      <ExportSection title="Custom" id={`${id}-custom`}>
        <AspectPreviews thumbnail={props.generation.thumbnail_url} selected={aspect()} />
        <div class="export-custom">
          <Choice
            legend="Format"
            name={`${id}-format`}
            options={Object.entries(FORMATS) as [ExportFormat, string][]}
            value={format()}
            onChange={setFormat}
          />
          <Choice
            legend="Quality"
            name={`${id}-quality`}
            options={QUALITIES.map((q) => [q, `${q}p`] as const)}
            value={quality()}
            onChange={setQuality}
          />
          <Choice
            legend="Aspect"
            name={`${id}-aspect`}
            options={(Object.keys(ASPECTS) as ExportAspect[]).map((a) => [a, a] as const)}
            value={aspect()}
            onChange={setAspect}
          />
        </div>
        <button
          type="button"
          class="btn btn-primary export-start"
          disabled={busy()}
          onClick={() => void run({ format: format(), quality: quality(), aspect: aspect() })}
        >
          {busy() ? "Starting…" : "Start export"}
        </button>
      </ExportSection>

      <Show when={error()}>
        <p class="form-error" role="alert">
          {messageOf(error())}
        </p>
      </Show>
      <p class="small export-notice" role="status" aria-live="polite">
        {notice() ?? ""}
      </p>
      <Show when={exports.pollError()}>
        <p class="notice small" role="status">
          Could not check on the exports ({messageOf(exports.pollError())}); retrying…
        </p>
      </Show>

      <ExportList
        exports={exports.exports()}
        loaded={exports.loaded()}
        cancelling={cancelling()}
        onCancel={(exportId) => void cancel(exportId)}
      />

      <div class="dialog-actions export-dialog-foot">
        <MetadataButton generationId={props.generation.generation_id} />
      </div>
    </dialog>
  );
}

/** What the status line says after a start: new, running already, or made before. */
function startedText({ view, answer, existed }: Started): string {
  const what = exportTitle(view);
  if (answer.cached) return `Already exported: ${what} is ready to download below.`;
  if (existed) return `Already exporting: ${what}.`;
  return `Export started: ${what}.`;
}

function ExportSection(props: { title: string; id: string; children: JSX.Element }) {
  return (
    <section class="export-section" aria-labelledby={props.id}>
      <h3 id={props.id} class="export-section-title">
        {props.title}
      </h3>
      {props.children}
    </section>
  );
}

/** A row of radio buttons in a fieldset (the settings panel's segmented look). */
function Choice<T extends string | number>(props: {
  legend: string;
  name: string;
  options: readonly (readonly [T, string])[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset class="field export-choice">
      <legend class="field-label">{props.legend}</legend>
      <div class="segmented">
        <For each={props.options}>
          {([value, label]) => (
            <label class="segment">
              <input
                type="radio"
                name={props.name}
                value={String(value)}
                checked={props.value === value}
                onChange={() => props.onChange(value)}
              />
              <span>{label}</span>
            </label>
          )}
        </For>
      </div>
    </fieldset>
  );
}

/**
 * The ad's poster frame in each shape (object-fit: cover), the chosen one marked. Only an
 * approximation: the export lays the ad's text out again for its shape.
 */
function AspectPreviews(props: { thumbnail: string | null; selected: ExportAspect }) {
  return (
    <div class="export-previews">
      <ul class="aspect-previews" aria-label="Aspect previews">
        <For each={Object.entries(ASPECTS) as [ExportAspect, string][]}>
          {([aspect, label]) => (
            <li class="aspect-preview" data-selected={props.selected === aspect ? "true" : undefined}>
              <div class="aspect-frame" data-aspect={aspect}>
                <Show when={props.thumbnail} fallback={<span class="sr-only">{aspect} preview</span>}>
                  {(src) => <img src={src()} alt={`${aspect} preview`} />}
                </Show>
              </div>
              <span class="small aspect-preview-label">
                <span>{aspect}</span> <span class="muted">{label}</span>
              </span>
            </li>
          )}
        </For>
      </ul>
      <p class="muted small">
        A crop of the poster frame: the export lays the text out again for each shape.
      </p>
    </div>
  );
}

/** "Download metadata (JSON)": the metadata route's answer, saved as a file through a Blob. */
function MetadataButton(props: { generationId: string }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = await fetchMetadata(props.generationId);
      const blob = new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = metadataFileName(props.generationId);
      document.body.append(a);
      a.click();
      a.remove();
      // The browser has taken the file by the next task; the link can go.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="export-metadata">
      <Show when={error()}>
        <p class="form-error small" role="alert">
          {messageOf(error())}
        </p>
      </Show>
      <button type="button" class="btn btn-ghost btn-sm" disabled={busy()} onClick={() => void download()}>
        Download metadata (JSON)
      </button>
    </div>
  );
}
