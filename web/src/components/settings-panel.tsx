import { createSignal, For, Show } from "solid-js";
import {
  ASPECT_RATIOS,
  DURATIONS,
  type GenerationSettings,
  GRADES,
  MAX_SEED,
  MUSIC_MOODS,
  settingsSummary,
} from "../settings.ts";

const entries = <T extends object>(o: T) => Object.entries(o) as [keyof T & string, string][];

/**
 * Generation settings behind a disclosure, collapsed by default: the defaults are good, and
 * the one-line summary on the toggle tells the user what they will get without opening it.
 */
export function SettingsPanel(props: {
  settings: GenerationSettings;
  onChange: (next: GenerationSettings) => void;
  /** Server messages per settings field (`seed`, `duration_s`, ...). */
  errors?: Record<string, string | undefined>;
  /** Prefix of every id and radio name, so several panels can share a page (profiles). */
  idPrefix?: string;
  /** The disclosure's title; "Settings" by default. */
  title?: string;
}) {
  const p = () => props.idPrefix ?? "";
  const [open, setOpen] = createSignal(false);
  const set = <K extends keyof GenerationSettings>(key: K, value: GenerationSettings[K]) =>
    props.onChange({ ...props.settings, [key]: value });

  return (
    <section class="settings">
      <button
        type="button"
        class="settings-toggle"
        aria-expanded={open()}
        aria-controls={`${p()}settings-body`}
        onClick={() => setOpen(!open())}
      >
        <span class="settings-toggle-title">{props.title ?? "Settings"}</span>
        <span class="settings-summary muted">{settingsSummary(props.settings)}</span>
        <span class="chevron" aria-hidden="true" />
      </button>
      <div id={`${p()}settings-body`} class="settings-body" hidden={!open()}>
        <fieldset class="field">
          <legend class="field-label">Duration</legend>
          <div class="segmented">
            <For each={entries(DURATIONS)}>
              {([value, label]) => (
                <label class="segment">
                  <input
                    type="radio"
                    name={`${p()}duration_s`}
                    value={value}
                    checked={props.settings.duration_s === Number(value)}
                    onChange={() => set("duration_s", Number(value) as GenerationSettings["duration_s"])}
                  />
                  <span>{label}</span>
                </label>
              )}
            </For>
          </div>
        </fieldset>

        <fieldset class="field">
          <legend class="field-label">Aspect ratio</legend>
          <div class="segmented">
            <For each={entries(ASPECT_RATIOS)}>
              {([value, hint]) => (
                <label class="segment" title={hint}>
                  <input
                    type="radio"
                    name={`${p()}aspect_ratio`}
                    value={value}
                    checked={props.settings.aspect_ratio === value}
                    onChange={() => set("aspect_ratio", value)}
                  />
                  <span class="aspect-icon" data-aspect={value} aria-hidden="true" />
                  <span>{value}</span>
                  <span class="sr-only">{hint}</span>
                </label>
              )}
            </For>
          </div>
        </fieldset>

        <div class="field">
          <label class="field-label" for={`${p()}grade`}>
            Colour grade
          </label>
          <select
            id={`${p()}grade`}
            class="input"
            value={props.settings.grade}
            onChange={(e) => set("grade", e.currentTarget.value as GenerationSettings["grade"])}
          >
            <For each={entries(GRADES)}>{([value, label]) => <option value={value}>{label}</option>}</For>
          </select>
        </div>

        <div class="field">
          <label class="field-label" for={`${p()}music_mood`}>
            Music
          </label>
          <select
            id={`${p()}music_mood`}
            class="input"
            value={props.settings.music_mood}
            disabled={!!props.settings.music}
            aria-describedby={props.settings.music ? `${p()}music-help` : undefined}
            onChange={(e) => set("music_mood", e.currentTarget.value as GenerationSettings["music_mood"])}
          >
            <For each={entries(MUSIC_MOODS)}>
              {([value, label]) => <option value={value}>{label}</option>}
            </For>
          </select>
          <Show when={props.settings.music}>
            <p id={`${p()}music-help`} class="field-help">
              Your own track (under Music below) replaces the library music.
            </p>
          </Show>
        </div>

        <div class="field">
          <label class="field-label" for={`${p()}seed`}>
            Seed
          </label>
          <input
            id={`${p()}seed`}
            class="input tabular"
            type="number"
            inputmode="numeric"
            min="0"
            max={MAX_SEED}
            step="1"
            placeholder="Random"
            value={props.settings.seed ?? ""}
            aria-describedby={`${p()}seed-help`}
            aria-invalid={props.errors?.seed ? "true" : undefined}
            onInput={(e) => {
              const raw = e.currentTarget.value.trim();
              const n = Number(raw);
              set("seed", raw === "" || !Number.isInteger(n) || n < 0 || n > MAX_SEED ? null : n);
            }}
          />
          <p id={`${p()}seed-help`} class="field-help" classList={{ "field-error": !!props.errors?.seed }}>
            {props.errors?.seed ?? "Leave empty for a new take each time; reuse a seed to reproduce one."}
          </p>
        </div>

        <div class="field field-wide">
          <label class="switch">
            <input
              type="checkbox"
              role="switch"
              aria-checked={props.settings.enhanced_planning}
              checked={props.settings.enhanced_planning}
              onChange={(e) => set("enhanced_planning", e.currentTarget.checked)}
            />
            <span class="switch-track" aria-hidden="true" />
            <span>
              <span class="field-label">Enhanced planning</span>
              <span class="field-help block">A second pass that keeps the scenes visually consistent.</span>
            </span>
          </label>
        </div>

        <Show when={props.errors?._}>{(m) => <p class="field-error">{m()}</p>}</Show>
      </div>
    </section>
  );
}
