import { A, createAsync, type RoutePreloadFuncArgs, useNavigate, useParams } from "@solidjs/router";
import { createEffect, createSignal, ErrorBoundary, Match, on, onCleanup, Show, Switch } from "solid-js";
import {
  ApiError,
  cancelGeneration,
  capabilities,
  type GenerationView,
  generate,
  generationFinished,
  getGeneration,
  messageOf,
  openDraft,
} from "../api.ts";
import { ErrorPanel } from "../components/error-panel.tsx";
import { ExportDialog } from "../components/export-dialog.tsx";
import { GenerationDetails } from "../components/generation-details.tsx";
import { ProgressView } from "../components/progress-view.tsx";
import { QcReport } from "../components/qc-report.tsx";
import { SceneCards } from "../components/scene-cards.tsx";
import { StoryboardEditor } from "../components/storyboard-editor.tsx";
import { VersionList } from "../components/version-list.tsx";
import { VideoResult } from "../components/video-result.tsx";
import { isCancelled } from "../format.ts";
import { createLiveGeneration } from "../live/bindings.ts";
import { isTerminal } from "../live/reconcile.ts";
import { usePageTitle } from "../page-title.ts";
import { currentToken } from "../session.ts";
import { normalizeSettings } from "../settings.ts";
import { isDraft, videoFileName } from "../versions.ts";

/** Route preload: the generation's one read starts while the page's code is fetched. */
export function preloadGeneration({ params }: RoutePreloadFuncArgs) {
  if (currentToken() && params.id) void getGeneration(params.id);
}

/**
 * `/generations/:id`: live progress, then the finished ad (each of its versions, "Export" for
 * other formats and platforms, and "Edit scenes" to make the next); a clear error state with retry.
 */
export function GenerationPage() {
  const params = useParams<{ id: string }>();
  return (
    <div class="container">
      <ErrorBoundary
        fallback={(err) =>
          err instanceof ApiError && err.status === 404 ? (
            <>
              <BackLink generation={null} />
              <ErrorPanel title="Generation not found" message="It may have been deleted.">
                <A href="/" class="btn btn-ghost">
                  Create a new ad
                </A>
              </ErrorPanel>
            </>
          ) : (
            <>
              <BackLink generation={null} />
              <ErrorPanel
                title="Could not load this generation"
                error={err}
                onRetry={() => location.reload()}
              />
            </>
          )
        }
      >
        <LiveGeneration id={params.id} />
      </ErrorBoundary>
    </div>
  );
}

/** One generation, drawn from its one view: the page's read, then every live update. */
function LiveGeneration(props: { id: string }) {
  const navigate = useNavigate();
  const live = createLiveGeneration(createAsync(() => getGeneration(props.id)));
  const view = live.view;
  const running = () => {
    const s = view();
    return !!s && !isTerminal(s.status);
  };
  const settings = () => normalizeSettings(view()?.settings);
  const storyboard = () => {
    const s = view();
    return s?.status === "storyboard" ? s : undefined;
  };
  usePageTitle(() => {
    const s = view();
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
      () => view()?.status,
      (next, prev) => {
        if (next && prev && !isTerminal(prev) && isTerminal(next)) {
          setFinishedAt(Date.now());
          void generationFinished();
        }
      },
    ),
  );
  const elapsed = () => {
    const s = view();
    if (!s) return null;
    const end = s.completed_at ?? finishedAt() ?? (running() ? now() : null);
    // A later version's render counts from its approval; the first one from the prompt.
    const start = s.version > 1 ? (s.started_at ?? s.created_at) : s.created_at;
    return end === null ? null : end - start;
  };

  const [actionError, setActionError] = createSignal<unknown>(null);
  const [cancelling, setCancelling] = createSignal(false);
  const cancel = async () => {
    setCancelling(true);
    setActionError(null);
    try {
      live.answer(await cancelGeneration(props.id));
    } catch (err) {
      setActionError(err);
      setCancelling(false);
    }
  };
  // The next version: a draft of the storyboard, which the page then shows (the live view follows it).
  const [opening, setOpening] = createSignal(false);
  const editScenes = async () => {
    setOpening(true);
    setActionError(null);
    try {
      live.answer(await openDraft(props.id));
    } catch (err) {
      setActionError(err);
    } finally {
      setOpening(false);
    }
  };
  // The export dialog belongs to the finished ad: a draft opened elsewhere closes it.
  const [exporting, setExporting] = createSignal(false);
  createEffect(() => {
    if (view()?.status !== "completed") setExporting(false);
  });
  // A stop ends in a finished (or failed) view; a later draft's stop starts afresh.
  createEffect(
    on(
      () => view()?.status,
      (status) => {
        if (status && isTerminal(status)) setCancelling(false);
      },
    ),
  );

  // The finished version in the player: the one picked in the list, else the latest (a newly
  // finished version is shown as soon as it exists).
  const [picked, setPicked] = createSignal<number | null>(null);
  createEffect(
    on(
      () => view()?.versions.length,
      () => setPicked(null),
      { defer: true },
    ),
  );
  const playing = () => {
    const s = view();
    if (s?.status !== "completed") return null;
    const latest = s.versions.at(-1);
    const version = s.versions.find((v) => v.version === picked()) ?? latest;
    const url = version && version !== latest ? version.video_url : s.video_url;
    if (!url) return null;
    const several = s.versions.length > 1;
    return {
      url,
      thumbnail: version && version !== latest ? version.thumbnail_url : s.thumbnail_url,
      number: version?.version ?? s.version,
      fileName: videoFileName(props.id, several ? version?.version : undefined),
      caption:
        several && version ? `Version ${version.version}${version === latest ? " (latest)" : ""}` : undefined,
    };
  };
  // The QC report of the version in the player (the latest unless one is picked).
  const playedQc = () => {
    const s = view();
    const number = playing()?.number;
    if (!s || number === undefined) return null;
    return s.versions.find((v) => v.version === number)?.qc ?? (number === s.version ? s.qc : null);
  };
  const retry = async () => {
    const s = view();
    if (!s) return;
    setActionError(null);
    try {
      const res = await generate({ prompt: s.prompt, settings: normalizeSettings(s.settings) });
      navigate(`/generations/${res.generation_id}`);
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <>
      <BackLink generation={view()} />
      <Show when={storyboard()}>
        {(s) => (
          // Review before paying for video; on approval the status moves on and the progress shows.
          <StoryboardEditor
            generation={s()}
            aspect={settings().aspect_ratio}
            onAnswer={live.answer}
            liveError={!!live.error()}
          />
        )}
      </Show>
      <Show when={storyboard() ? undefined : view()}>
        {(s) => (
          <div class="gen-layout" data-status={s().status}>
            <div class="gen-head">
              <h1 class="gen-title">{titleFor(s())}</h1>
              <ProgressView generation={s()} elapsedMs={elapsed()} />
              <Show when={s().status === "failed" || s().status === "cancelled"}>
                <Show
                  when={isCancelled(s())}
                  fallback={
                    <ErrorPanel
                      title="This ad could not be finished"
                      message={s().error ?? "The generation stopped without a reason."}
                      onRetry={retry}
                    />
                  }
                >
                  <ErrorPanel
                    title="Cancelled by user"
                    message="Its clips were deleted. Start again with the same prompt and settings?"
                    onRetry={retry}
                    retryLabel="Start again"
                  />
                </Show>
              </Show>
              <Show when={capabilities.cancel && running()}>
                <button type="button" class="btn btn-ghost" onClick={cancel} disabled={cancelling()}>
                  {cancelLabel(s(), cancelling())}
                </button>
              </Show>
              <Show when={s().status === "completed"}>
                <div class="gen-edit">
                  <button
                    type="button"
                    class="btn btn-ghost"
                    aria-haspopup="dialog"
                    onClick={() => setExporting(true)}
                  >
                    Export
                  </button>
                  <p class="muted small">
                    For TikTok, Reels, YouTube and more, or any format, size and shape; with captions.
                  </p>
                </div>
                <ExportDialog open={exporting()} generation={s()} onClose={() => setExporting(false)} />
              </Show>
              {/* A stitched ad's scenes are the user's own clips: the server refuses edits. */}
              <Show when={s().status === "completed" && s().scenes.length > 0 && s().source !== "stitch"}>
                <div class="gen-edit">
                  <button type="button" class="btn btn-ghost" onClick={editScenes} disabled={opening()}>
                    Edit scenes
                  </button>
                  <p class="muted small">
                    Change the storyboard and render a new version: only changed clips are paid for again.
                  </p>
                </div>
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
                    scenes={s().scenes}
                    aspect={settings().aspect_ratio}
                    title="Storyboard"
                    hint={storyboardHint(s())}
                    placeholders={4}
                  />
                </Match>
                <Match when={playing()}>
                  {(p) => (
                    <VideoResult
                      videoUrl={p().url}
                      thumbnailUrl={p().thumbnail}
                      aspect={settings().aspect_ratio}
                      fileName={p().fileName}
                      caption={p().caption}
                      autoPlay={picked() !== null}
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
              <Show when={s().status === "completed" && s().versions.length > 1}>
                <VersionList
                  generationId={props.id}
                  versions={s().versions}
                  selected={playing()?.number ?? s().version}
                  onPlay={setPicked}
                />
              </Show>
              <Show when={playedQc()}>{(qc) => <QcReport report={qc()} />}</Show>
              <GenerationDetails generation={s()} />
            </div>
            <Show when={s().status === "completed" && s().scenes.length}>
              <div class="gen-scenes">
                <SceneCards scenes={s().scenes} aspect={settings().aspect_ratio} />
              </div>
            </Show>
          </div>
        )}
      </Show>
    </>
  );
}

/** A variation of a comparison (it has a label) leads back to its comparison; others to the library. */
function BackLink(props: { generation: GenerationView | null | undefined }) {
  return (
    <Show
      when={props.generation?.label ? props.generation : null}
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
function storyboardHint(s: GenerationView): string {
  const scenes = s.scenes;
  if (!scenes.length) return "Writing the script and planning scenes…";
  const ready = scenes.filter((x) => x.status === "ready").length;
  if (ready === scenes.length) return "All clips ready; composing the ad…";
  return `${ready} of ${scenes.length} clips ready; each plays once rendered`;
}

/** The running generation's stop button: a draft's render is discarded, a first one cancelled. */
function cancelLabel(s: GenerationView, cancelling: boolean): string {
  if (isDraft(s)) return cancelling ? "Discarding…" : "Discard changes";
  return cancelling ? "Cancelling…" : "Cancel generation";
}

function titleFor(s: GenerationView): string {
  if (s.status === "completed") return "Your ad is ready";
  if (isCancelled(s)) return "Generation cancelled";
  if (s.status === "failed") return "Generation stopped";
  if (s.status === "processing") return isDraft(s) ? `Rendering version ${s.version}` : "Creating your ad";
  if (s.status === "storyboard") return "Review your storyboard";
  return "Your ad is queued";
}
