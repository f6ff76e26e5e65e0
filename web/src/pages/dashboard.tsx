import { useNavigate } from "@solidjs/router";
import { createEffect, createSignal, For, Show } from "solid-js";
import { ApiError, generate, messageOf } from "../api.ts";
import { CostEstimate } from "../components/cost-estimate.tsx";
import { PromptInput } from "../components/prompt-input.tsx";
import { SettingsPanel } from "../components/settings-panel.tsx";
import { usePageTitle } from "../page-title.ts";
import { clearDraft, loadDraft, saveDraft } from "../session.ts";
import { cleanPrompt, type GenerationSettings, normalizeSettings, promptProblem } from "../settings.ts";

const EXAMPLES = [
  "vegan protein powder, energetic, for TikTok",
  "luxury watch ad for Instagram, slow and golden",
  "neighbourhood coffee shop grand opening, warm and cosy",
];

/**
 * `/`: the prompt, the settings and Generate. The form is saved as a draft on every edit, so
 * an expired session (or a closed tab) never costs the user what they typed.
 */
export function DashboardPage() {
  usePageTitle(() => "Create");
  const navigate = useNavigate();
  const draft = loadDraft();
  const [prompt, setPrompt] = createSignal(draft?.prompt ?? "");
  const [settings, setSettings] = createSignal<GenerationSettings>(normalizeSettings(draft?.settings));
  const [attempted, setAttempted] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  let textarea: HTMLTextAreaElement | undefined;

  createEffect(() => saveDraft({ prompt: prompt(), settings: settings() }));

  const apiError = () => {
    const e = error();
    return e instanceof ApiError ? e : null;
  };
  const settingsErrors = () => {
    const fields = apiError()?.fields ?? {};
    const out: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(fields))
      if (k.startsWith("settings")) out[k.split(".")[1] ?? "_"] = v[0];
    return out;
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (promptProblem(prompt())) {
      textarea?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
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
        <Show when={error() && !apiError()?.field("prompt")}>
          <p class="form-error" role="alert">
            {messageOf(error())}
          </p>
        </Show>
        <div class="composer-foot">
          <CostEstimate settings={settings()} />
          <button type="submit" class="btn btn-primary btn-lg" disabled={busy()}>
            {busy() ? "Starting…" : "Generate"}
          </button>
        </div>
      </form>
    </div>
  );
}
