/**
 * The note at the top of a draft's storyboard (a finished ad reopened for editing): which
 * version is being edited, that the finished one stays until the draft is approved, and a way
 * to watch that finished version without leaving the editor.
 */
import { createSignal, createUniqueId, Show } from "solid-js";
import type { GenerationView } from "../api.ts";
import { releaseOnCleanup } from "../media-url.ts";
import { lastFinished } from "../versions.ts";

/** "Editing version N+1 — version N stays available until you approve", with a player of N. */
export function DraftNote(props: { generation: GenerationView; aspect: string }) {
  const playerId = createUniqueId();
  const [watching, setWatching] = createSignal(false);
  const finished = () => lastFinished(props.generation);
  const number = () => finished()?.version ?? props.generation.version - 1;
  const url = () => finished()?.video_url ?? props.generation.video_url;
  return (
    <div class="notice board-draft" data-testid="draft-note">
      <p>
        Editing version {props.generation.version} — version {number()} stays available until you approve.
      </p>
      <Show when={url()}>
        {(src) => (
          <>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-expanded={watching()}
              aria-controls={playerId}
              onClick={() => setWatching(!watching())}
            >
              {watching() ? `Hide version ${number()}` : `Watch version ${number()}`}
            </button>
            <div id={playerId} class="board-draft-player" hidden={!watching()}>
              <Show when={watching()}>
                <div class="stage" data-aspect={props.aspect}>
                  {/* biome-ignore lint/a11y/useMediaCaption: the ad's text is burned into the video; there is no caption track to offer yet */}
                  <video
                    ref={releaseOnCleanup}
                    class="stage-video"
                    src={src()}
                    poster={finished()?.thumbnail_url ?? undefined}
                    controls
                    playsinline
                    preload="metadata"
                    aria-label={`Version ${number()}`}
                  />
                </div>
              </Show>
            </div>
          </>
        )}
      </Show>
    </div>
  );
}
