import { A, createAsync, type RoutePreloadFuncArgs, useNavigate, useParams } from "@solidjs/router";
import { createEffect, createSignal, ErrorBoundary, Match, on, onCleanup, Show, Switch } from "solid-js";
import {
  ApiError,
  cancelGeneration,
  capabilities,
  type GenerationStatus,
  type GenerationSummary,
  generate,
  getGenerationDetails,
  getStatus,
  messageOf,
  refreshGeneration,
} from "../api.ts";
import { ErrorPanel } from "../components/error-panel.tsx";
import { GenerationDetails } from "../components/generation-details.tsx";
import { ProgressView } from "../components/progress-view.tsx";
import { SceneCards } from "../components/scene-cards.tsx";
import { VideoResult } from "../components/video-result.tsx";
import { CANCELLED_ERROR } from "../format.ts";
import { createLiveStatus, isTerminal } from "../live.ts";
import { usePageTitle } from "../page-title.ts";
import { currentToken } from "../session.ts";
import { normalizeSettings } from "../settings.ts";

/** Route preload: status and details start loading while the page's code is fetched. */
export function preloadGeneration({ params }: RoutePreloadFuncArgs) {
  if (!currentToken() || !params.id) return;
  void getStatus(params.id);
  void getGenerationDetails(params.id);
}

/** `/generations/:id`: live progress, then the finished ad; a clear error state with retry. */
export function GenerationPage() {
  const params = useParams<{ id: string }>();
  return (
    <div class="container">
      <ErrorBoundary
        fallback={(err) =>
          err instanceof ApiError && err.status === 404 ? (
            <>
              <BackLink details={null} />
              <ErrorPanel title="Generation not found" message="It may have been deleted.">
                <A href="/" class="btn btn-ghost">
                  Create a new ad
                </A>
              </ErrorPanel>
            </>
          ) : (
            <>
              <BackLink details={null} />
              <ErrorPanel
                title="Could not load this generation"
                error={err}
                onRetry={() => location.reload()}
              />
            </>
          )
        }
      >
        <GenerationView id={params.id} />
      </ErrorBoundary>
    </div>
  );
}

function GenerationView(props: { id: string }) {
  const navigate = useNavigate();
  const initial = createAsync(() => getStatus(props.id));
  const details = createAsync(() => getGenerationDetails(props.id));
  const live = createLiveStatus(() => {
    const s = initial();
    return s ? { generationId: s.generation_id, groupId: s.group_id } : undefined;
  }, initial);
  const status = live.status;
  const running = () => {
    const s = status();
    return !!s && !isTerminal(s.status);
  };
  const settings = () => normalizeSettings(details()?.settings);
  usePageTitle(() => {
    const s = status();
    return s ? `${titleFor(s)} (${Math.round(s.progress)}%)` : "Generation";
  });

  // Elapsed time ticks once a second while running; it stops at completion.
  const [now, setNow] = createSignal(Date.now());
  const [finishedAt, setFinishedAt] = createSignal<number | null>(null);
  createEffect(() => {
    if (!running()) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    onCleanup(() => clearInterval(timer));
  });
  createEffect(
    on(
      () => status()?.status,
      (next, prev) => {
        if (next && prev && !isTerminal(prev) && isTerminal(next)) {
          setFinishedAt(Date.now());
          void refreshGeneration(props.id);
        }
      },
    ),
  );
  const elapsed = () => {
    const d = details();
    if (!d) return null;
    const end = d.completed_at ?? finishedAt() ?? (running() ? now() : null);
    return end === null ? null : end - d.created_at;
  };

  const [actionError, setActionError] = createSignal<unknown>(null);
  const [cancelling, setCancelling] = createSignal(false);
  const cancel = async () => {
    setCancelling(true);
    setActionError(null);
    try {
      await cancelGeneration(props.id);
    } catch (err) {
      setActionError(err);
      setCancelling(false);
    }
  };
  const retry = async () => {
    const d = details();
    if (!d) return;
    setActionError(null);
    try {
      const res = await generate({ prompt: d.prompt, settings: normalizeSettings(d.settings) });
      navigate(`/generations/${res.generation_id}`);
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <>
      <BackLink details={details()} />
      <Show when={status()}>
        {(s) => (
          <div class="gen-layout" data-status={s().status}>
            <div class="gen-head">
              <h1 class="gen-title">{titleFor(s())}</h1>
              <ProgressView status={s()} elapsedMs={elapsed()} />
              <Show when={s().status === "failed"}>
                <Show
                  when={isCancelled(s())}
                  fallback={
                    <ErrorPanel
                      title="This ad could not be finished"
                      message={s().error ?? "The generation stopped without a reason."}
                      onRetry={details() ? retry : undefined}
                    />
                  }
                >
                  <ErrorPanel
                    title={CANCELLED_ERROR}
                    message="Its clips were deleted. Start again with the same prompt and settings?"
                    onRetry={details() ? retry : undefined}
                    retryLabel="Start again"
                  />
                </Show>
              </Show>
              <Show when={capabilities.cancel && running()}>
                <button type="button" class="btn btn-ghost" onClick={cancel} disabled={cancelling()}>
                  {cancelling() ? "Cancelling…" : "Cancel generation"}
                </button>
              </Show>
              <Show when={actionError()}>
                <p class="form-error" role="alert">
                  {messageOf(actionError())}
                </p>
              </Show>
              <Show when={live.error() && running()}>
                <p class="notice small" role="status">
                  Live updates are interrupted; retrying…
                </p>
              </Show>
            </div>
            <div class="gen-stage">
              <Switch>
                <Match when={running()}>
                  {/* While it runs, the storyboard is the stage: each clip plays as soon as it exists. */}
                  <SceneCards
                    scenes={s().scenes ?? []}
                    aspect={settings().aspect_ratio}
                    title="Storyboard"
                    hint={storyboardHint(s())}
                    placeholders={4}
                  />
                </Match>
                <Match when={s().status === "completed" && s().video_url}>
                  {(url) => (
                    <VideoResult
                      videoUrl={url()}
                      thumbnailUrl={s().thumbnail_url}
                      aspect={settings().aspect_ratio}
                      fileName={`promptreel-${props.id.slice(0, 8)}.mp4`}
                    />
                  )}
                </Match>
                <Match when={true}>
                  <div class="stage" data-aspect={settings().aspect_ratio}>
                    <div class="stage-placeholder" data-status={s().status}>
                      <span class="stage-label">
                        {isCancelled(s()) ? "Cancelled before the video was made" : "No video was made"}
                      </span>
                    </div>
                  </div>
                </Match>
              </Switch>
            </div>
            <div class="gen-details">
              <GenerationDetails details={details() ?? null} status={s()} />
            </div>
            <Show when={s().status === "completed" && s().scenes?.length}>
              <div class="gen-scenes">
                <SceneCards scenes={s().scenes ?? []} aspect={settings().aspect_ratio} />
              </div>
            </Show>
          </div>
        )}
      </Show>
    </>
  );
}

/** A variation of a comparison (it has a label) leads back to its comparison; others to the library. */
function BackLink(props: { details: GenerationSummary | null | undefined }) {
  return (
    <Show
      when={props.details?.label ? props.details : null}
      fallback={
        <A href="/library" class="back-link">
          ← Library
        </A>
      }
    >
      {(d) => (
        <A href={`/comparisons/${d().group_id}`} class="back-link">
          ← Back to comparison
        </A>
      )}
    </Show>
  );
}

/** One line under the storyboard title: what is happening to the scenes right now. */
function storyboardHint(s: GenerationStatus): string {
  const scenes = s.scenes ?? [];
  if (!scenes.length) return "Writing the script and planning scenes…";
  const ready = scenes.filter((x) => x.status === "ready").length;
  if (ready === scenes.length) return "All clips ready; composing the ad…";
  return `${ready} of ${scenes.length} clips ready; each plays once rendered`;
}

function titleFor(s: GenerationStatus): string {
  if (s.status === "completed") return "Your ad is ready";
  if (s.status === "failed") return isCancelled(s) ? "Generation cancelled" : "Generation stopped";
  if (s.status === "processing") return "Creating your ad";
  return "Your ad is queued";
}

const isCancelled = (s: GenerationStatus) => s.error === CANCELLED_ERROR;
