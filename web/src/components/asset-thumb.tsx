import { Match, Switch } from "solid-js";
import type { Asset } from "../assets.ts";

/** Seconds as "0:42". */
export function formatDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "";
  const total = Math.round(s);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** An asset's preview: the image, a muted video's first frame, or a note icon with the length. */
export function AssetThumb(props: { asset: Asset }) {
  return (
    <div class="asset-thumb" data-kind={props.asset.kind}>
      <Switch>
        <Match when={props.asset.kind === "audio"}>
          <span class="asset-audio" aria-hidden="true">
            ♪
          </span>
          <span class="asset-duration tabular">{formatDuration(props.asset.duration_s)}</span>
        </Match>
        <Match when={props.asset.kind === "video"}>
          <video
            src={props.asset.url}
            preload="metadata"
            muted
            playsinline
            tabindex="-1"
            aria-label={`Preview of ${props.asset.name}`}
          />
          <span class="asset-duration tabular">{formatDuration(props.asset.duration_s)}</span>
        </Match>
        <Match when={true}>
          <img src={props.asset.thumbnail_url ?? props.asset.url} alt="" loading="lazy" />
        </Match>
      </Switch>
    </div>
  );
}
