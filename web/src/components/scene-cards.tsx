import { Index, Show } from "solid-js";
import type { SceneView } from "../api.ts";
import { createStableUrl, releaseOnCleanup } from "../media-url.ts";

const SCENE_STATUS = {
  pending: "Waiting",
  rendering: "Rendering",
  ready: "Ready",
  failed: "Failed",
} as const;

/**
 * One card per planned scene; a card becomes a playable preview as soon as its clip is ready.
 * Cards keep their size through every state and are keyed by position (`<Index>`), so a live
 * update changes a card in place: the grid never reflows and a playing preview keeps playing.
 * With no scenes yet (the plan is being written) `placeholders` empty cards hold the space.
 */
export function SceneCards(props: {
  scenes: SceneView[];
  aspect: string;
  title?: string;
  hint?: string;
  placeholders?: number;
}) {
  const placeholderScenes = (): SceneView[] =>
    Array.from({ length: props.placeholders ?? 0 }, (_, index) => ({
      index,
      type: "",
      status: "pending",
      overlay_text: "",
      duration_s: 0,
      visual_prompt: "",
      clip_url: null,
      poster_url: null,
      keyframe_url: null,
      overlay_position: "bottom",
    }));
  const scenes = () => (props.scenes.length ? props.scenes : placeholderScenes());
  return (
    <section class="scenes" aria-labelledby="scenes-title">
      <div class="scenes-head">
        <h2 id="scenes-title" class="section-title">
          {props.title ?? "Scenes"}
        </h2>
        <Show when={props.hint}>{(hint) => <p class="muted small">{hint()}</p>}</Show>
      </div>
      <ol class="scene-grid">
        <Index each={scenes()}>{(scene) => <SceneCard scene={scene()} aspect={props.aspect} />}</Index>
      </ol>
    </section>
  );
}

function SceneCard(props: { scene: SceneView; aspect: string }) {
  const clip = createStableUrl(() => (props.scene.status === "ready" ? props.scene.clip_url : null));
  // The clip's middle frame, shown before it plays (null when its provider made none).
  const poster = createStableUrl(() => (props.scene.status === "ready" ? props.scene.poster_url : null));
  const number = () => props.scene.index + 1;
  // A placeholder (no plan yet) has no type: it is being planned, not waiting for a renderer.
  const statusLabel = () => (props.scene.type ? SCENE_STATUS[props.scene.status] : "Planning");
  return (
    <li class="scene-card" data-status={props.scene.status} data-testid="scene-card">
      <div class="scene-media" data-aspect={props.aspect}>
        <Show
          when={clip()}
          fallback={<div class="scene-placeholder" data-active={props.scene.status === "rendering"} />}
        >
          {(url) => (
            <video
              ref={releaseOnCleanup}
              src={url()}
              poster={poster() ?? undefined}
              muted
              loop
              playsinline
              preload="auto"
              controls
              aria-label={`Scene ${number()} preview`}
            />
          )}
        </Show>
        <span class="scene-status">{statusLabel()}</span>
      </div>
      <div class="scene-info">
        <span class="scene-title">Scene {number()}</span>
        <Show when={props.scene.duration_s > 0}>
          <span class="muted tabular">{props.scene.duration_s.toFixed(1)} s</span>
        </Show>
      </div>
      {/* Kept when empty (a non-breaking space) so every card has the same lines. */}
      <p class="scene-type">{props.scene.type || "\u00a0"}</p>
      <p class="scene-overlay">
        <Show when={props.scene.overlay_text} fallback={<span class="sr-only">Not planned yet</span>}>
          {(t) => <>“{t()}”</>}
        </Show>
      </p>
    </li>
  );
}
