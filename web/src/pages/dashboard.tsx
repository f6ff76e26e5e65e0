import { A, useNavigate } from "@solidjs/router";
import { createEffect, createSignal, For, Show } from "solid-js";
import { ApiError, fieldsUnder, generate, generateParallel, messageOf } from "../api.ts";
import { AssetPickers } from "../components/asset-picker.tsx";
import { CostEstimate, TotalEstimate } from "../components/cost-estimate.tsx";
import { ParallelPanel } from "../components/parallel-panel.tsx";
import { PromptInput } from "../components/prompt-input.tsx";
import { SettingsPanel } from "../components/settings-panel.tsx";
import { usePageTitle } from "../page-title.ts";
import {
  carryPrompt,
  normalizeParallel,
  type ParallelDraft,
  parallelProblems,
  parallelRequest,
  variationCount,
  variationSettings,
} from "../parallel.ts";
import { clearDraft, loadDraft, saveDraft } from "../session.ts";
import { cleanPrompt, type GenerationSettings, normalizeSettings, promptProblem } from "../settings.ts";

const EXAMPLES = [
  "vegan protein powder, energetic, for TikTok",
  "luxury watch ad for Instagram, slow and golden",
  "neighbourhood coffee shop grand opening, warm and cosy",
];

type Mode = "single" | "parallel";
const MODES: [Mode, string][] = [
  ["single", "One ad"],
  ["parallel", "Parallel variations"],
];

/**
 * `/`: the prompt, the settings and Generate; or, in Parallel mode, 2-5 variations that go to the
 * comparison page. The form is saved as a draft on every edit, so an expired session (or a
 * closed tab) never costs the user what they typed.
 */
export function DashboardPage() {
  usePageTitle(() => "Create");
  const navigate = useNavigate();
  const draft = loadDraft();
  const [prompt, setPrompt] = createSignal(draft?.prompt ?? "");
  const [settings, setSettings] = createSignal<GenerationSettings>(normalizeSettings(draft?.settings));
  const [mode, setMode] = createSignal<Mode>(draft?.mode === "parallel" ? "parallel" : "single");
  const [parallel, setParallel] = createSignal<ParallelDraft>(
    normalizeParallel(draft?.parallel, prompt(), settings()),
  );
  const [attempted, setAttempted] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  let textarea: HTMLTextAreaElement | undefined;

  createEffect(() =>
    saveDraft({ prompt: prompt(), settings: settings(), mode: mode(), parallel: parallel() }),
  );

  const apiError = () => {
    const e = error();
    return e instanceof ApiError ? e : null;
  };
  /** The server's first message per field (`prompts.1`, `profiles.0.settings.seed`). */
  const serverErrors = () => {
    const out: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(apiError()?.fields ?? {})) out[k] = v[0];
    return out;
  };
  const settingsErrors = () => fieldsUnder(serverErrors(), "settings");
  const problems = () => parallelProblems(parallel(), prompt());
  const fieldMessage = () => {
    const fields = Object.keys(apiError()?.fields ?? {});
    return fields.length > 0 && fields.every((f) => f === "prompt" || /^prompts\.\d+$/.test(f));
  };

  const chooseMode = (next: Mode) => {
    setMode(next);
    // The prompt typed so far becomes the first variation's.
    if (next === "parallel" && parallel().kind === "prompt") setParallel(carryPrompt(parallel(), prompt()));
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (mode() === "single" && promptProblem(prompt())) {
      textarea?.focus();
      return;
    }
    if (mode() === "parallel" && Object.keys(problems()).length) {
      // The first box with a problem gets the focus; each shows its own message.
      (e.currentTarget as HTMLFormElement)
        .querySelector<HTMLElement>("textarea[aria-invalid], input[aria-invalid]")
        ?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (mode() === "parallel") {
        const res = await generateParallel(parallelRequest(parallel(), prompt(), settings()));
        clearDraft();
        navigate(`/comparisons/${res.group_id}`);
        return;
      }
      const res = await generate({ prompt: cleanPrompt(prompt()), settings: settings() });
      clearDraft();
      navigate(`/generations/${res.generation_id}`);
    } catch (err) {
      // A 401 has already ended the session and the guard is taking the user to sign-in;
      // the draft stays saved, so there is nothing to show here.
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="container narrow">
      <header class="page-head">
        <h1>What are we advertising?</h1>
        <p class="muted lead">
          One line in, a finished 15-second video ad out: script, scenes, music and grade.
        </p>
      </header>
      <form class="card composer" onSubmit={submit} noValidate>
        <div class="mode-row">
          <fieldset class="mode-switch">
            <legend class="sr-only">What to make</legend>
            <div class="segmented">
              <For each={MODES}>
                {([value, label]) => (
                  <label class="segment">
                    <input
                      type="radio"
                      name="mode"
                      value={value}
                      checked={mode() === value}
                      onChange={() => chooseMode(value)}
                    />
                    <span>{label}</span>
                  </label>
                )}
              </For>
            </div>
          </fieldset>
          <A href="/stitch" class="btn btn-ghost btn-sm">
            From my clips
          </A>
        </div>
        <Show
          when={mode() === "single"}
          fallback={
            <ParallelPanel
              draft={parallel()}
              onChange={(d) => {
                setParallel(d);
                if (apiError()) setError(null);
              }}
              prompt={prompt()}
              onPrompt={setPrompt}
              settings={settings()}
              onSettings={setSettings}
              showProblems={attempted()}
              problems={problems()}
              serverErrors={serverErrors()}
            />
          }
        >
          <PromptInput
            value={prompt()}
            onInput={(v) => {
              setPrompt(v);
              if (apiError()?.field("prompt")) setError(null);
            }}
            showProblems={attempted()}
            serverError={apiError()?.field("prompt")}
            ref={(el) => {
              textarea = el;
            }}
          />
          <div class="examples">
            <span class="muted small">Try:</span>
            <For each={EXAMPLES}>
              {(ex) => (
                <button type="button" class="chip" onClick={() => setPrompt(ex)}>
                  {ex}
                </button>
              )}
            </For>
          </div>
          <SettingsPanel settings={settings()} onChange={setSettings} errors={settingsErrors()} />
          <AssetPickers settings={settings()} onChange={setSettings} errors={settingsErrors()} />
        </Show>
        <Show when={error() && !fieldMessage()}>
          <p class="form-error" role="alert">
            {messageOf(error())}
          </p>
        </Show>
        <div class="composer-foot">
          <Show
            when={mode() === "single"}
            fallback={<TotalEstimate settings={variationSettings(parallel(), settings())} />}
          >
            <CostEstimate settings={settings()} />
          </Show>
          <div class="composer-actions">
            <Show when={mode() === "single"}>
              <ReviewSwitch
                on={settings().workflow === "storyboard"}
                onChange={(on) => setSettings({ ...settings(), workflow: on ? "storyboard" : "auto" })}
              />
            </Show>
            <button type="submit" class="btn btn-primary btn-lg" disabled={busy()}>
              {busy()
                ? "Starting…"
                : mode() === "parallel"
                  ? `Generate ${variationCount(parallel())} variations`
                  : "Generate"}
            </button>
          </div>
        </div>
      </form>
    </div>
  );
}

/** Storyboard review (settings.workflow): stop at a keyframe per scene to edit before paying for video. */
function ReviewSwitch(props: { on: boolean; onChange: (on: boolean) => void }) {
  return (
    <label class="switch review-switch">
      <input
        type="checkbox"
        role="switch"
        aria-checked={props.on}
        aria-describedby="review-help"
        checked={props.on}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <span class="switch-track" aria-hidden="true" />
      <span>
        <span class="field-label">Review storyboard first</span>
        <span id="review-help" class="field-help block">
          Edit the scenes before any video is made
        </span>
      </span>
    </label>
  );
}
