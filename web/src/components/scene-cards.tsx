import { For, Show } from "solid-js";
import type { SceneView } from "../api.ts";

const SCENE_STATUS = {
  pending: "Waiting",
  rendering: "Rendering",
  ready: "Ready",
  failed: "Failed",
} as const;

/**
 * One card per planned scene; a card becomes a playable preview as soon as its clip is ready.
 * Cards keep their size through every state so the grid never reflows mid-render.
 */
export function SceneCards(props: { scenes: SceneView[]; aspect: string }) {
  return (
    <section class="scenes" aria-labelledby="scenes-title">
      <h2 id="scenes-title" class="section-title">
        Scenes
      </h2>
      <ol class="scene-grid">
        <For each={props.scenes}>
          {(scene) => (
            <li class="scene-card" data-status={scene.status}>
              <div class="scene-media" data-aspect={props.aspect}>
                <Show
                  when={scene.status === "ready" && scene.clip_url}
                  fallback={
                    <div class="scene-placeholder shimmer" data-active={scene.status === "rendering"} />
                  }
                >
                  {(url) => (
                    <video
                      src={url()}
                      muted
                      loop
                      playsinline
                      preload="metadata"
                      controls
                      aria-label={`Scene ${scene.index + 1} preview`}
                    />
                  )}
                </Show>
              </div>
              <div class="scene-info">
                <span class="scene-title">
                  Scene {scene.index + 1}
                  <Show when={scene.type}>{(t) => <span class="muted"> · {t()}</span>}</Show>
                </span>
                <span class="scene-status muted">{SCENE_STATUS[scene.status]}</span>
              </div>
              <Show when={scene.overlay_text}>{(t) => <p class="scene-overlay">“{t()}”</p>}</Show>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
