import { createEffect, on, Show } from "solid-js";
import { createStableUrl, releaseOnCleanup } from "../media-url.ts";

/**
 * The finished ad: the player in the ad's own aspect ratio, and a download link. With several
 * versions the page picks which one it shows (`caption` names it); a version picked by the
 * user (`autoPlay`) starts playing, and the player scrolls into view.
 */
export function VideoResult(props: {
  videoUrl: string;
  thumbnailUrl: string | null;
  aspect: string;
  fileName: string;
  caption?: string;
  autoPlay?: boolean;
}) {
  // Re-signed URLs of the same video must not reload the player mid-playback.
  const video = createStableUrl(() => props.videoUrl);
  const poster = createStableUrl(() => props.thumbnailUrl);
  let player: HTMLVideoElement | undefined;
  createEffect(
    on(
      video,
      () => {
        if (props.autoPlay) player?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
      },
      { defer: true },
    ),
  );
  return (
    <div class="video-result">
      <div class="stage" data-aspect={props.aspect}>
        {/* biome-ignore lint/a11y/useMediaCaption: the ad's text is burned into the video; there is no caption track to offer yet */}
        <video
          ref={(el) => {
            player = el;
            releaseOnCleanup(el);
          }}
          class="stage-video"
          src={video() ?? undefined}
          poster={poster() ?? undefined}
          controls
          playsinline
          autoplay={props.autoPlay}
          preload="metadata"
          aria-label="Your finished ad"
        />
      </div>
      <Show when={props.caption}>
        <p class="muted small" data-testid="video-caption">
          {props.caption}
        </p>
      </Show>
      <a class="btn btn-primary btn-block" href={video() ?? undefined} download={props.fileName}>
        Download MP4
      </a>
    </div>
  );
}
