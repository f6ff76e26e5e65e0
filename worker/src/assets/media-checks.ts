/**
 * Audio and video are checked by the render container, where ffprobe runs behind protocol and
 * demuxer whitelists and playlists and concat lists are refused by content
 * (render-container/src/probe.ts). The upload is staged into job `asset-{id}`, probed there with
 * this module's stricter limits, and the answer is held to what an ad can use: at most 120 s and
 * 4096 px a side, one video and one audio stream at most, known codecs only, and no subtitle,
 * data or attachment streams (cover art in an audio file is tolerated). The job's staging space
 * is always released.
 */
import { type MediaInfo, MediaInfoSchema } from "@promptreel/render-container/contract";
import type { Env } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { RenderError, releaseJob, rendererFetch, stageFile } from "../render/client.ts";
import { type AcceptedFormat, invalidMedia } from "./formats.ts";

export const MAX_MEDIA_DURATION_S = 120;
export const MAX_MEDIA_SIDE = 4096;
const VIDEO_CODECS = new Set(["h264", "hevc", "vp8", "vp9", "av1"]);
const AUDIO_CODECS = new Set(["aac", "mp3", "opus", "vorbis"]);
const COVER_ART_CODECS = new Set(["mjpeg", "png"]);
const STAGED_NAME = "upload";

/** What the checks learnt about an audio or video upload. */
export interface MediaFacts {
  kind: "audio" | "video";
  width: number | null;
  height: number | null;
  durationS: number;
  codecs: string;
}

const unavailable = () =>
  new ApiError(503, "unavailable", "The media check is unavailable right now. Please try again shortly.");

/** Probes the stored upload at `key` in the render container and holds it to the limits. */
export async function checkMedia(
  env: Env,
  assetId: string,
  key: string,
  format: AcceptedFormat,
): Promise<MediaFacts> {
  const jobId = `asset-${assetId}`;
  try {
    const object = await env.MEDIA.get(key);
    if (!object) throw new Error(`stored upload ${key} is gone`);
    // Light: a person waits on this second-long probe, so it skips the pool's line for a free slot;
    // the container still runs it in its own job queue (after the job ahead of it on that instance).
    await stageFile(env, jobId, STAGED_NAME, object.body, object.size, { light: true }).catch(
      (err: unknown) => {
        throw err instanceof RenderError && (err.code === "input_rejected" || err.code === "too_large")
          ? invalidMedia(`The ${format.label} was refused: ${err.message}`)
          : unavailable();
      },
    );
    const res = await rendererFetch(
      env,
      "/probe",
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          job_id: jobId,
          source: { file: STAGED_NAME },
          limits: { max_duration_s: MAX_MEDIA_DURATION_S, max_dimension: MAX_MEDIA_SIDE },
        }),
      },
      jobId,
    ).catch(() => {
      throw unavailable();
    });
    const body = (await res.json().catch(() => ({}))) as {
      probe?: unknown;
      error?: { code?: string; message?: string };
    };
    if (res.status === 422 && body.error?.code === "input_rejected")
      throw invalidMedia(
        `The ${format.label} was refused by the media check: ${body.error.message ?? "unreadable"}.`,
      );
    if (!res.ok) throw unavailable();
    return holdToLimits(MediaInfoSchema.parse(body.probe), format);
  } finally {
    await releaseJob(env, jobId);
  }
}

const isAudioCodec = (codec: string) => AUDIO_CODECS.has(codec) || codec.startsWith("pcm_");

/** The probe's answer held to what an ad can use (pure; exported for tests). */
export function holdToLimits(info: MediaInfo, format: AcceptedFormat): MediaFacts {
  const refuse = (why: string) => invalidMedia(`The ${format.label} ${why}.`);
  const streams = info.streams ?? [];
  if (!streams.length) throw refuse("has no audio or video stream");
  const video = [];
  const audio = [];
  for (const s of streams) {
    if (s.type === "video" && s.attached_pic && format.kind === "audio" && COVER_ART_CODECS.has(s.codec))
      continue;
    if (s.type === "video") video.push(s);
    else if (s.type === "audio") audio.push(s);
    else
      throw refuse(
        `carries a ${s.type} stream (${s.codec}); only one video and one audio stream are accepted`,
      );
  }
  if (video.length > 1 || audio.length > 1)
    throw refuse(
      `has ${video.length} video and ${audio.length} audio streams; at most one of each is accepted`,
    );
  const v = video[0];
  const a = audio[0];
  if (v && !VIDEO_CODECS.has(v.codec))
    throw refuse(`uses the video codec ${v.codec}; accepted are ${[...VIDEO_CODECS].join(", ")}`);
  if (a && !isAudioCodec(a.codec))
    throw refuse(`uses the audio codec ${a.codec}; accepted are ${[...AUDIO_CODECS].join(", ")} and PCM`);
  if (format.kind === "audio" && v) throw refuse("has a video stream; upload video as MP4, MOV or WebM");
  if (!v && !a) throw refuse("has no audio or video stream");
  const duration = info.duration_s;
  if (!(duration > 0)) throw refuse("has no duration: it is corrupt");
  if (duration > MAX_MEDIA_DURATION_S)
    throw refuse(`is ${duration.toFixed(1)} s long; the most accepted is ${MAX_MEDIA_DURATION_S} s`);
  const width = info.video?.width ?? null;
  const height = info.video?.height ?? null;
  if (v && (width ?? 0) > MAX_MEDIA_SIDE)
    throw refuse(`is ${width}x${height}; the most accepted is ${MAX_MEDIA_SIDE} a side`);
  if (v && (height ?? 0) > MAX_MEDIA_SIDE)
    throw refuse(`is ${width}x${height}; the most accepted is ${MAX_MEDIA_SIDE} a side`);
  return {
    // An MP4 or WebM without a picture is audio.
    kind: v ? "video" : "audio",
    width: v ? width : null,
    height: v ? height : null,
    durationS: duration,
    codecs: [v?.codec, a?.codec].filter(Boolean).join(","),
  };
}
