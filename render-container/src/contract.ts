/**
 * The render container's public contract, version 1.
 *
 * The worker imports this file directly (by relative path or `@promptreel/render-container/contract`),
 * so it depends on zod only: no `node:` modules.
 *
 * Transport (HTTP, see `server.ts`):
 * - `POST /render` with a {@link RenderJob} body and `POST /synthesize` with a {@link SynthesizeJob} body
 *   answer `200` with `Content-Type: application/x-ndjson`: one {@link JobEvent} JSON object per line,
 *   any number of `progress` lines, then exactly one final `done` or `error` line, then the stream ends.
 *   Blank lines are keep-alives (one every 10 s): readers skip them.
 *   An invalid body answers `400` with `{ error: { code, message } }` and no stream.
 * - `DELETE /jobs/:job_id` cancels a queued or running job (its stream ends with an `error` line, code
 *   `cancelled`). Closing the response stream (client disconnect) cancels too.
 * - `POST /probe` with a {@link ProbeRequest} answers `{ probe }` or `{ error }`. A `{ file }` source is
 *   looked up in the staging space of the request's `job_id`; `limits` can only tighten the container's.
 *   A probe takes a slot of the job queue like a job, so it waits behind running jobs.
 * - `GET /health` answers `{ ok, ffmpeg, queue: { running, queued, concurrency } }`.
 *
 * Every request carries `Authorization: Bearer <RENDER_SECRET>` (else `401`); `POST` bodies are
 * `application/json` and `PUT` bodies `application/octet-stream` (else `415`).
 *
 * Sources are `{ file }` (a file staged into the job's scratch space with `PUT /jobs/:job_id/files/:name`),
 * `{ url }` (http/https, fetched by Node with size and time limits, never by ffmpeg: the CLI only; the
 * HTTP server refuses a job or probe that names a URL with `400` before anything runs) or `{ path }`
 * (a local file: accepted from the CLI and tests, refused by the HTTP server unless
 * `RENDER_ALLOW_LOCAL_PATHS=1`). Outputs are `{ file }` (written to the staging space, read back with
 * `GET /jobs/:job_id/files/:name`), `{ url }` (a signed upload URL the CLI PUTs the file to, with
 * `Content-Type` set and optional extra `headers`; refused by the HTTP server like URL sources) or
 * `{ path }` (same rule as sources). Staging is capped per file, per job and in files per job
 * (`413` / `409`). `DELETE /jobs/:job_id` also frees the job's staging space; the Worker always calls
 * it when done.
 */
import { z } from "zod";

/** The contract version; bumped on any incompatible change. */
export const CONTRACT_VERSION = 1 as const;

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "only http and https URLs are accepted");

/** A file in the job's staging space (`PUT /jobs/:job_id/files/:name`): a plain name, no path. */
export const StagedNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "staged file names are letters, digits, . _ - (no paths)");

/** Where an input comes from. */
export const SourceSchema = z.union([
  z.object({ url: httpUrl }).strict(),
  z.object({ path: z.string().min(1) }).strict(),
  z.object({ file: StagedNameSchema }).strict(),
]);
/** Where an input comes from. */
export type Source = z.infer<typeof SourceSchema>;

/** Where an output goes: a signed PUT URL (with optional extra headers), a local path, or the staging space. */
export const OutputTargetSchema = z.union([
  z.object({ url: httpUrl, headers: z.record(z.string(), z.string()).optional() }).strict(),
  z.object({ path: z.string().min(1) }).strict(),
  z.object({ file: StagedNameSchema }).strict(),
]);
/** Where an output goes. */
export type OutputTarget = z.infer<typeof OutputTargetSchema>;

/** Caller-chosen id, used to cancel (`DELETE /jobs/:job_id`) and in every log line. */
export const JobIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "job_id may contain letters, digits and . _ : - only")
  // It names a directory: "." and ".." would be the staging root itself and its parent.
  .refine((id) => !/^\.+$/.test(id), "job_id may not be only dots");

const hexColour = z.string().regex(/^#?[0-9a-fA-F]{6}$/, "colours are 6-digit hex like #1a2b3c");

/** A frame width or height in pixels: even (yuv420p), 64 up to `max`. */
const evenSize = (name: "width" | "height", max: number) =>
  z
    .number()
    .int()
    .min(64)
    .max(max)
    .refine((n) => n % 2 === 0, `${name} must be even`);

/** Moods shared by the brand, the music library and the synthesiser. */
export const MOODS = ["upbeat", "calm", "luxury", "energetic", "corporate"] as const;
/** A brand mood (schema). */
export const MoodSchema = z.enum(MOODS);
/** A brand mood. */
export type Mood = z.infer<typeof MoodSchema>;

/** Font families bundled offline; `auto` picks from the brand style and the script of the text. */
export const FontSchema = z.enum(["auto", "sans", "serif", "condensed"]);
/** A font family choice. */
export type Font = z.infer<typeof FontSchema>;

/** Where an overlay sits in the frame's safe area. */
export const OVERLAY_POSITIONS = ["top", "center", "bottom"] as const;
/** How an overlay enters. */
export const OVERLAY_ANIMATIONS = ["fade_in", "slide_up", "none"] as const;

/** Text drawn over one scene. `size` is a preferred height in output pixels; it shrinks to fit. */
export const OverlaySchema = z.object({
  text: z.string().min(1).max(300),
  position: z.enum(OVERLAY_POSITIONS).default("bottom"),
  colour: hexColour.default("#ffffff"),
  font: FontSchema.default("auto"),
  size: z.number().int().min(8).max(400).optional(),
  animation: z.enum(OVERLAY_ANIMATIONS).default("fade_in"),
});
/** Text drawn over one scene. */
export type Overlay = z.infer<typeof OverlaySchema>;

/** One scene of the ad: a clip, how long it lasts on screen (crossfades included) and its overlay. */
export const RenderSceneSchema = z.object({
  clip: SourceSchema,
  duration_s: z.number().min(0.6).max(60),
  overlay: OverlaySchema.optional(),
});
/** One scene of the ad. */
export type RenderScene = z.infer<typeof RenderSceneSchema>;

/** The named colour grades (`brand` follows the brand's palette). */
export const GRADE_PRESETS = ["none", "warm", "cool", "cinematic", "vivid", "brand"] as const;

/** Colour grade: a preset or explicit parameters (ffmpeg `eq` semantics plus a warm/cool shift). */
export const GradeSchema = z.union([
  z.enum(GRADE_PRESETS),
  z
    .object({
      brightness: z.number().min(-0.5).max(0.5).default(0),
      contrast: z.number().min(0.5).max(2).default(1),
      saturation: z.number().min(0).max(3).default(1),
      gamma: z.number().min(0.5).max(2).default(1),
      /** -1 cool .. +1 warm. */
      temperature: z.number().min(-1).max(1).default(0),
    })
    .strict(),
]);
/** Colour grade. */
export type Grade = z.infer<typeof GradeSchema>;

/**
 * Background music: a library track by mood, or an uploaded file. The mix's gain to the loudness
 * target is computed from its sources' loudness: the library's is measured when the track is made;
 * an uploaded file's is measured by the container the first time it sees those bytes (then cached),
 * unless the job brings it as `loudness_lufs` (measured once at upload), which saves that launch.
 */
export const MusicSchema = z.union([
  z.object({ library: MoodSchema }).strict(),
  z
    .object({
      source: SourceSchema,
      /**
       * The file's integrated loudness (EBU R128, LUFS) over its whole length, as `ebur128` measures
       * it once converted to 48 kHz stereo. Optional: without it the container measures the file.
       */
      loudness_lufs: z.number().min(-99).max(0).optional(),
    })
    .strict(),
]);
/** Background music. */
export type Music = z.infer<typeof MusicSchema>;

/** The whole audio bed. Loudness targets are fixed by the product spec. */
export const AudioSchema = z.object({
  music: MusicSchema.optional(),
  /** Music gain under the effects (0.3 = 30 %). */
  music_volume: z.number().min(0).max(1).default(0.3),
  /** A whoosh centred on every transition. */
  whoosh: z.boolean().default(true),
  /** Gain of the clips' own audio (0 = muted); silent clips are fine either way. */
  clip_volume: z.number().min(0).max(1).default(0),
  fade_out_s: z.number().min(0).max(5).default(1),
  target_lufs: z.number().min(-30).max(-8).default(-14),
  true_peak_db: z.number().min(-9).max(0).default(-1),
});
/** The audio bed. */
export type Audio = z.infer<typeof AudioSchema>;

/** The containers an ad can be written in. */
export const CONTAINER_FORMATS = ["mp4", "mov", "webm"] as const;
/** A container an ad can be written in. */
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];
/** The content type of each container. */
export const CONTAINER_CONTENT_TYPES: Record<ContainerFormat, string> = {
  mp4: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
};

/** Output video settings. The default is the product's 1080x1920 24 fps vertical ad. */
export const VideoSettingsSchema = z.object({
  width: evenSize("width", 3840).default(1080),
  height: evenSize("height", 3840).default(1920),
  fps: z.number().int().min(24).max(30).default(24),
  /** libx264 preset; `medium` is the product default. */
  preset: z
    .enum(["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"])
    .default("medium"),
  /** Quality target; the encoder is also capped (`max_kbps`) so a 15 s ad stays far under 50 MB. */
  crf: z.number().int().min(14).max(35).default(20),
  /**
   * What the pictures are, for the H.264 encoder. `motion_graphics` (flat gradients, soft sprites,
   * type: the offline motion renderer's clips) turns off x264's B-frames and its sub-macroblock
   * partition search (`bframes=0:partitions=none`): on those pictures a third less encoder CPU for
   * the same SSIM and a smaller file (docs/architecture.md, "The encode of an offline ad"). `footage`
   * (the default) keeps the preset as it is. WebM ignores it.
   */
  content: z.enum(["footage", "motion_graphics"]).default("footage"),
  /** The container and codecs: H.264 + AAC in MP4 or MOV (faststart), or VP9 + Opus in WebM. */
  format: z.enum(CONTAINER_FORMATS).default("mp4"),
  /** The video bitrate cap in kb/s (8000: a 15 s 1080p ad stays under 16 MB of video). */
  max_kbps: z.number().int().min(200).max(20000).default(8000),
});
/** Output video settings. */
export type VideoSettings = z.infer<typeof VideoSettingsSchema>;

/**
 * The brand's logo (a still image: PNG with alpha, JPEG or WebP). With `end_card` the last ~1.5 s of
 * the last scene become an end card: the picture darkened, the logo large and centred, the last
 * scene's overlay text (the call to action) under it. With `corner` a small logo sits in the safe
 * zone's top-right corner on a translucent plate until the end card (or to the end without one).
 * The ad's duration is unchanged.
 */
export const LogoSchema = z
  .object({
    source: SourceSchema,
    corner: z.boolean().default(true),
    end_card: z.boolean().default(true),
  })
  .strict();
/** The brand's logo. */
export type Logo = z.infer<typeof LogoSchema>;

/** A composition job: the whole ad in one ffmpeg pass. */
export const RenderJobSchema = z.object({
  version: z.literal(CONTRACT_VERSION),
  job_id: JobIdSchema,
  video: VideoSettingsSchema.prefault({}),
  scenes: z.array(RenderSceneSchema).min(1).max(12),
  transition: z
    .object({
      /** Any ffmpeg `xfade` transition name; `fade` is the product default. */
      type: z
        .enum([
          "fade",
          "dissolve",
          "wipeleft",
          "wiperight",
          "slideup",
          "slideleft",
          "smoothleft",
          "circleopen",
        ])
        .default("fade"),
      duration_s: z.number().min(0).max(2).default(0.5),
    })
    .prefault({}),
  fade_in_s: z.number().min(0).max(3).default(0.3),
  fade_out_s: z.number().min(0).max(3).default(0.3),
  audio: AudioSchema.prefault({}),
  grade: GradeSchema.default("none"),
  brand: z
    .object({
      name: z.string().max(80).optional(),
      colours: z.array(hexColour).max(8).default([]),
      /** Free text like "luxury, elegant": picks the overlay font family when an overlay says `auto`. */
      style: z.string().max(200).optional(),
    })
    .prefault({}),
  /** Optional: without it the ad renders exactly as before. */
  logo: LogoSchema.optional(),
  /** Seconds into the output; defaults to a representative frame (first scene, overlay fully shown). */
  thumbnail_time_s: z.number().min(0).optional(),
  /** Wall-clock limit for the whole job, queue time excluded. */
  timeout_s: z.number().min(1).max(3600).default(900),
  /** What the QC report checks beyond the file itself (see QcReportSchema). */
  qc: z
    .object({
      /**
       * Words the prompt said (brand as written, offers, numbers): each must appear in at least one
       * overlay, compared case- and accent-insensitively.
       */
      facts: z.array(z.string().min(1).max(80)).max(16).default([]),
    })
    .prefault({}),
  outputs: z.object({
    video: OutputTargetSchema,
    thumbnail: OutputTargetSchema.optional(),
    /** One JPEG per scene, in scene order: the scene's representative frame (overlay fully shown). */
    posters: z.array(OutputTargetSchema).max(12).optional(),
  }),
});
/** A composition job (input form: defaults may be omitted). */
export type RenderJobInput = z.input<typeof RenderJobSchema>;
/** A composition job after validation (defaults filled). */
export type RenderJob = z.infer<typeof RenderJobSchema>;

/** Scene types of the advertising frameworks (AIDA, PAS, BAB). */
export const SceneTypeSchema = z.enum([
  "attention",
  "interest",
  "desire",
  "action",
  "problem",
  "agitate",
  "solution",
  "before",
  "after",
  "bridge",
]);
/** A scene type. */
export type SceneType = z.infer<typeof SceneTypeSchema>;

/** A brand as the synthesiser sees it. */
export const BrandSchema = z.object({
  name: z.string().min(1).max(80),
  colours: z.array(hexColour).min(1).max(8),
  mood: MoodSchema,
  style: z.string().max(200).default("modern"),
});
/** A brand. */
export type Brand = z.infer<typeof BrandSchema>;

/** Two outputs must not go to the same place: the second delivery would replace the first. */
const sameTarget = (a: OutputTarget, b: OutputTarget) =>
  ("file" in a && "file" in b && a.file === b.file) || ("path" in a && "path" in b && a.path === b.path);

/**
 * What a synthesis job makes: the clip, a still of the scene, or both (at least one). The still is a
 * JPEG keyframe at the job's full size, drawn by the same generator as the clip: it is the clip's
 * frame at `still_at_s`, so a storyboard keyframe or a scene poster predicts the clip.
 */
export const SynthOutputSchema = z
  .object({ video: OutputTargetSchema.optional(), still: OutputTargetSchema.optional() })
  .refine((o) => o.video !== undefined || o.still !== undefined, "ask for a video, a still or both")
  .refine(
    (o) => !(o.video && o.still && sameTarget(o.video, o.still)),
    "video and still must go to different places",
  );
/** What a synthesis job makes. */
export type SynthOutput = z.infer<typeof SynthOutputSchema>;

/**
 * An offline clip (and/or a still of it) for one scene: the local video provider's renderer.
 * With both outputs one ffmpeg pass makes them; a still alone renders only up to its frame.
 */
export const SynthesizeJobSchema = z
  .object({
    version: z.literal(CONTRACT_VERSION),
    job_id: JobIdSchema,
    width: evenSize("width", 1920),
    height: evenSize("height", 1920),
    fps: z.number().int().min(12).max(30).default(24),
    duration_s: z.number().min(0.5).max(20),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    scene: z.object({
      index: z.number().int().min(0).max(50),
      type: SceneTypeSchema,
      text: z.string().max(300).default(""),
      visual_prompt: z.string().max(2000).default(""),
    }),
    brand: BrandSchema,
    /** A product photo or reference image: the clip becomes a Ken Burns move over it. */
    image: SourceSchema.optional(),
    timeout_s: z.number().min(1).max(3600).default(300),
    /** Seconds into the clip of the still (the frame on screen then); defaults to the middle. */
    still_at_s: z.number().min(0).optional(),
    output: SynthOutputSchema,
  })
  .refine((j) => j.still_at_s === undefined || j.still_at_s < j.duration_s, {
    path: ["still_at_s"],
    message: "still_at_s must be less than duration_s",
  });
/** A synthesis job (input form). */
export type SynthesizeJobInput = z.input<typeof SynthesizeJobSchema>;
/** A synthesis job after validation. */
export type SynthesizeJob = z.infer<typeof SynthesizeJobSchema>;

/**
 * A transcoding job (`POST /transcode`): a finished ad re-encoded into another container and a
 * smaller size of the same aspect (an export of the master). The picture is scaled to cover
 * `width`x`height` and centre-cropped, so a size of another aspect is never letterboxed; exports
 * of another aspect are re-composed instead (a render job with that aspect's layout).
 */
export const TranscodeJobSchema = z.object({
  version: z.literal(CONTRACT_VERSION),
  job_id: JobIdSchema,
  source: SourceSchema,
  video: VideoSettingsSchema.prefault({}),
  timeout_s: z.number().min(1).max(3600).default(600),
  output: OutputTargetSchema,
});
/** A transcoding job (input form). */
export type TranscodeJobInput = z.input<typeof TranscodeJobSchema>;
/** A transcoding job after validation. */
export type TranscodeJob = z.infer<typeof TranscodeJobSchema>;

/** What ffprobe says about one media file, reduced to what callers use. */
export const MediaInfoSchema = z.object({
  format: z.string(),
  duration_s: z.number(),
  size_bytes: z.number(),
  video: z
    .object({
      codec: z.string(),
      width: z.number(),
      height: z.number(),
      fps: z.number(),
      pix_fmt: z.string(),
      profile: z.string().optional(),
      rotation: z.number(),
    })
    .optional(),
  audio: z.object({ codec: z.string(), sample_rate: z.number(), channels: z.number() }).optional(),
  /** For MP4: true when the `moov` atom precedes `mdat` (progressive playback). */
  faststart: z.boolean().optional(),
  /**
   * Every stream in file order (`POST /probe` only): type (video, audio, subtitle, data, attachment),
   * codec, and whether a video stream is an attached picture (cover art).
   */
  streams: z.array(z.object({ type: z.string(), codec: z.string(), attached_pic: z.boolean() })).optional(),
});
/** Probe result. */
export type MediaInfo = z.infer<typeof MediaInfoSchema>;

/** `POST /probe` body. */
export const ProbeRequestSchema = z.object({
  source: SourceSchema,
  /** The job whose staging space holds a `{ file }` source. */
  job_id: JobIdSchema.optional(),
  /** Stricter limits for this probe (a larger value than the container's own is ignored). */
  limits: z
    .object({
      max_duration_s: z.number().positive().optional(),
      max_dimension: z.number().int().positive().optional(),
    })
    .optional(),
});
/** `POST /probe` body. */
export type ProbeRequest = z.infer<typeof ProbeRequestSchema>;

/** Phases a job goes through, in order. */
export const PhaseSchema = z.enum(["queued", "fetching", "probing", "analysing", "rendering", "uploading"]);
/** A job phase. */
export type Phase = z.infer<typeof PhaseSchema>;

/** Error codes of the `error` event and of HTTP error bodies. */
export const ErrorCodeSchema = z.enum([
  "invalid_job",
  "input_rejected",
  "fetch_failed",
  "upload_failed",
  "ffmpeg_failed",
  "cancelled",
  "timeout",
  "internal",
  /** HTTP only: no valid shared secret (401). */
  "unauthorized",
  /** HTTP only: a body that is not JSON (jobs, probes) or raw bytes (staged files) (415). */
  "unsupported_media_type",
  /** HTTP only: a staged file over the file or job size cap (413). */
  "too_large",
  /** HTTP only: a job's staging space already holds the most files allowed (409). */
  "too_many_files",
]);
/** An error code. */
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** What the QC report checks on a finished ad. */
export const QC_CHECKS = [
  "loudness",
  "true_peak",
  "black_frames",
  "frozen_frames",
  "duration",
  "audio_tail",
  "format",
  "safe_zone",
  "contrast",
  "copy_facts",
] as const;
/** One QC check: `fixed` means it failed, the renderer fixed it and the re-check passed. */
export const QcCheckSchema = z.object({
  check: z.enum(QC_CHECKS),
  status: z.enum(["pass", "fixed", "warn"]),
  /** One sentence a person can read: what was measured, against what limit, and any fix. */
  detail: z.string(),
  /** The headline figure (LUFS, dBTP, seconds, ratio, count), when the check has one. */
  value: z.number().optional(),
});
/** One QC check. */
export type QcCheck = z.infer<typeof QcCheckSchema>;
/** The QC report of a finished ad, measured on the file: `warn` when any check warns. */
export const QcReportSchema = z.object({
  status: z.enum(["pass", "warn"]),
  checks: z.array(QcCheckSchema),
});
/** The QC report of a finished ad. */
export type QcReport = z.infer<typeof QcReportSchema>;

/** Final result of a job: probe info of every output. */
export const JobResultSchema = z.object({
  job_id: z.string(),
  outputs: z.object({
    /** Always for render jobs; for synthesis jobs when `output.video` was asked for. */
    video: MediaInfoSchema.optional(),
    /** Render jobs with `outputs.thumbnail`. */
    thumbnail: MediaInfoSchema.optional(),
    /** Synthesis jobs with `output.still`: the JPEG, described as the thumbnail is. */
    still: MediaInfoSchema.optional(),
    /** Render jobs with `outputs.posters`: one JPEG per scene. */
    posters: z.array(MediaInfoSchema).optional(),
  }),
  /**
   * Measured on the final mix (render jobs with audio), metered inside the composition pass as it
   * enters the AAC encoder; the encoded file reads the same within ~0.1 LU, its true peak typically
   * 0.1-0.3 dB higher (the mix's limiter sits 1 dB under the ceiling for that). When the QC pass
   * re-muxed the audio, or the pass's meter gave no single summary, the QC's measurement of the file.
   */
  loudness: z.object({ integrated_lufs: z.number(), true_peak_dbtp: z.number() }).optional(),
  /** Render jobs: the quality report, measured on the finished file. */
  qc: QcReportSchema.optional(),
  wall_s: z.number(),
});
/** Final result of a job. */
export type JobResult = z.infer<typeof JobResultSchema>;

/** One NDJSON line of a job stream. */
export const JobEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), percent: z.number().min(0).max(100), phase: PhaseSchema }),
  JobResultSchema.extend({ type: z.literal("done") }),
  z.object({ type: z.literal("error"), code: ErrorCodeSchema, message: z.string() }),
]);
/** One NDJSON line of a job stream. */
export type JobEvent = z.infer<typeof JobEventSchema>;
