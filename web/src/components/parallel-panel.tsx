import { For, Index, Show } from "solid-js";
import { fieldsUnder } from "../api.ts";
import {
  carryPrompt,
  MAX_VARIATIONS,
  MIN_VARIATIONS,
  type ParallelDraft,
  PROFILE_NAME_MAX,
  resize,
  type VariationKind,
  variationCount,
} from "../parallel.ts";
import type { GenerationSettings } from "../settings.ts";
import { PromptInput } from "./prompt-input.tsx";
import { SettingsPanel } from "./settings-panel.tsx";

const KINDS: Record<VariationKind, { label: string; hint: string }> = {
  prompt: { label: "Different prompts", hint: "Same settings, a prompt per variation" },
  settings: { label: "Different settings", hint: "Same prompt, a settings profile per variation" },
};
const COUNTS = Array.from({ length: MAX_VARIATIONS - MIN_VARIATIONS + 1 }, (_, i) => MIN_VARIATIONS + i);

/**
 * Parallel mode of the dashboard: what the variations differ by, how many (2-5), then either an
 * editable list of prompts over shared settings, or one prompt and a named settings profile per
 * variation (each with its one-line summary). The dashboard shows the estimated total.
 */
export function ParallelPanel(props: {
  draft: ParallelDraft;
  onChange: (next: ParallelDraft) => void;
  /** The shared prompt (settings mode). */
  prompt: string;
  onPrompt: (prompt: string) => void;
  /** The shared settings (prompt mode). */
  settings: GenerationSettings;
  onSettings: (settings: GenerationSettings) => void;
  /** Show every validation message now (after a submit attempt). */
  showProblems: boolean;
  /** Problems found before sending, by field (`prompts.1`, `profiles.0.name`). */
  problems: Record<string, string>;
  /** The server's messages after a 400, by field. */
  serverErrors: Record<string, string | undefined>;
}) {
  const count = () => variationCount(props.draft);
  const setPromptAt = (i: number, value: string) =>
    props.onChange({ ...props.draft, prompts: props.draft.prompts.map((p, k) => (k === i ? value : p)) });
  const setProfileAt = (i: number, patch: Partial<ParallelDraft["profiles"][number]>) =>
    props.onChange({
      ...props.draft,
      profiles: props.draft.profiles.map((p, k) => (k === i ? { ...p, ...patch } : p)),
    });
  const setKind = (kind: VariationKind) => {
    // The count stays what the user chose, whichever list it now applies to, and a typed
    // prompt goes along: into an empty first prompt, or from it into an empty shared prompt.
    const n = count();
    const first = props.draft.prompts[0] ?? "";
    if (kind === "settings" && !props.prompt.trim() && first.trim()) props.onPrompt(first);
    const draft = kind === "prompt" ? carryPrompt(props.draft, props.prompt) : props.draft;
    props.onChange(resize({ ...draft, kind }, n, props.settings));
  };

  return (
    <section class="parallel" aria-label="Parallel variations">
      <div class="parallel-options">
        <fieldset class="field">
          <legend class="field-label">Variations differ by</legend>
          <div class="segmented">
            <For each={Object.entries(KINDS) as [VariationKind, (typeof KINDS)[VariationKind]][]}>
              {([kind, k]) => (
                <label class="segment" title={k.hint}>
                  <input
                    type="radio"
                    name="variation-kind"
                    value={kind}
                    checked={props.draft.kind === kind}
                    onChange={() => setKind(kind)}
                  />
                  <span>{k.label}</span>
                </label>
              )}
            </For>
          </div>
        </fieldset>
        <fieldset class="field">
          <legend class="field-label">How many</legend>
          <div class="segmented">
            <For each={COUNTS}>
              {(n) => (
                <label class="segment">
                  <input
                    type="radio"
                    name="variation-count"
                    aria-label={`${n} variations`}
                    value={n}
                    checked={count() === n}
                    onChange={() => props.onChange(resize(props.draft, n, props.settings))}
                  />
                  <span>{n}</span>
                </label>
              )}
            </For>
          </div>
        </fieldset>
      </div>

      <Show
        when={props.draft.kind === "prompt"}
        fallback={
          <>
            <PromptInput
              value={props.prompt}
              onInput={props.onPrompt}
              showProblems={props.showProblems}
              serverError={props.serverErrors.prompt}
            />
            <ol class="profile-list">
              <Index each={props.draft.profiles}>
                {(profile, i) => (
                  <li class="profile card-inset" data-testid="profile">
                    <div class="field">
                      <label class="field-label" for={`profile-${i}-name`}>
                        Name of variation {i + 1}
                      </label>
                      <input
                        id={`profile-${i}-name`}
                        class="input"
                        maxLength={PROFILE_NAME_MAX}
                        value={profile().name}
                        aria-invalid={
                          props.showProblems && props.problems[`profiles.${i}.name`] ? "true" : undefined
                        }
                        onInput={(e) => setProfileAt(i, { name: e.currentTarget.value })}
                      />
                      <Show when={props.showProblems && props.problems[`profiles.${i}.name`]}>
                        {(m) => <p class="field-help field-error">{m()}</p>}
                      </Show>
                    </div>
                    <SettingsPanel
                      idPrefix={`p${i}-`}
                      title={profile().name.trim() || `Profile ${i + 1}`}
                      settings={profile().settings}
                      onChange={(settings) => setProfileAt(i, { settings })}
                      errors={fieldsUnder(props.serverErrors, `profiles.${i}.settings`)}
                    />
                  </li>
                )}
              </Index>
            </ol>
          </>
        }
      >
        <ol class="prompt-list">
          <Index each={props.draft.prompts}>
            {(prompt, i) => (
              <li data-testid="variation-prompt">
                <PromptInput
                  id={`prompt-${i}`}
                  label={`Prompt ${i + 1}`}
                  value={prompt()}
                  onInput={(v) => setPromptAt(i, v)}
                  showProblems={props.showProblems}
                  serverError={props.serverErrors[`prompts.${i}`]}
                />
              </li>
            )}
          </Index>
        </ol>
        <SettingsPanel
          title="Shared settings"
          settings={props.settings}
          onChange={props.onSettings}
          errors={fieldsUnder(props.serverErrors, "settings")}
        />
      </Show>
    </section>
  );
}
