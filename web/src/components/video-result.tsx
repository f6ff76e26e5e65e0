import { createStableUrl, releaseOnCleanup } from "../media-url.ts";

/** The finished ad: the player in the ad's own aspect ratio, and a download link. */
export function VideoResult(props: {
  videoUrl: string;
  thumbnailUrl: string | null;
  aspect: string;
  fileName: string;
}) {
  // Re-signed URLs of the same video must not reload the player mid-playback.
  const video = createStableUrl(() => props.videoUrl);
  const poster = createStableUrl(() => props.thumbnailUrl);
  return (
    <div class="video-result">
      <div class="stage" data-aspect={props.aspect}>
        {/* biome-ignore lint/a11y/useMediaCaption: the ad's text is burned into the video; there is no caption track to offer yet */}
        <video
          ref={releaseOnCleanup}
          class="stage-video"
          src={video() ?? undefined}
          poster={poster() ?? undefined}
          controls
          playsinline
          preload="metadata"
          aria-label="Your finished ad"
        />
      </div>
      <a class="btn btn-primary btn-block" href={video() ?? undefined} download={props.fileName}>
        Download MP4
      </a>
    </div>
  );
}
