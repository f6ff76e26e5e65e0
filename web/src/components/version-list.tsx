/**
 * The finished versions of an ad, newest first: when each was made, what it cost and how many
 * clips it rendered anew, a Play button that puts it in the page's player, and its download.
 * The latest is marked, and is the one the player shows unless another is picked.
 */
import { For, Show } from "solid-js";
import type { VersionView } from "../api.ts";
import { formatCost, formatDate } from "../format.ts";
import { videoFileName } from "../versions.ts";

const clipsText = (n: number) => `${n} new ${n === 1 ? "clip" : "clips"}`;

/** One row per finished version; `selected` is the version in the player. */
export function VersionList(props: {
  generationId: string;
  versions: readonly VersionView[];
  selected: number;
  onPlay: (version: number) => void;
}) {
  const latest = () => props.versions.at(-1)?.version;
  const newestFirst = () => [...props.versions].reverse();
  return (
    <section class="card versions" aria-labelledby="versions-title">
      <h2 id="versions-title" class="section-title">
        Versions
      </h2>
      <ol class="version-list" aria-label="Finished versions">
        <For each={newestFirst()}>
          {(v) => (
            <li
              class="version-row"
              aria-current={v.version === props.selected ? "true" : undefined}
              data-testid="version-row"
            >
              <div class="version-info">
                <span class="version-name">
                  Version {v.version}
                  <Show when={v.version === latest()}>
                    <span class="badge version-latest">Latest</span>
                  </Show>
                </span>
                <span class="muted small tabular">
                  {formatDate(v.completed_at)} · {formatCost(v.cost)} · {clipsText(v.new_clips)}
                </span>
              </div>
              <div class="version-actions">
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  aria-label={`Play version ${v.version}`}
                  aria-pressed={v.version === props.selected}
                  disabled={!v.video_url}
                  onClick={() => props.onPlay(v.version)}
                >
                  Play
                </button>
                <Show when={v.video_url}>
                  {(url) => (
                    <a
                      class="btn btn-ghost btn-sm"
                      href={url()}
                      download={videoFileName(props.generationId, v.version)}
                      aria-label={`Download version ${v.version}`}
                    >
                      Download
                    </a>
                  )}
                </Show>
              </div>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
