/**
 * Input inspection: every input is probed before use. Playlists and concat lists are refused by
 * content (they could make ffmpeg read other files or the network), then ffprobe runs with the same
 * protocol and demuxer whitelists as the render, and the result is held to limits.
 */
import { open, stat } from "node:fs/promises";
import type { MediaInfo } from "./contract.ts";
import { JobError } from "./errors.ts";
import { INPUT_FORMATS, inputGuard, runFfprobe } from "./ffmpeg.ts";

/** Limits applied to every input. */
export interface ProbeLimits {
  maxDurationS: number;
  maxWidth: number;
  maxHeight: number;
  maxStreams: number;
}

/** Limits from the environment (RENDER_MAX_INPUT_DURATION_S, RENDER_MAX_INPUT_DIMENSION, RENDER_MAX_STREAMS). */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): ProbeLimits {
  const dim = Number(env.RENDER_MAX_INPUT_DIMENSION ?? 4096);
  return {
    maxDurationS: Number(env.RENDER_MAX_INPUT_DURATION_S ?? 600),
    maxWidth: dim,
    maxHeight: dim,
    maxStreams: Number(env.RENDER_MAX_STREAMS ?? 6),
  };
}

const ALLOWED = new Set(INPUT_FORMATS.split(","));
const IMAGE_CODECS = new Set(["png", "mjpeg", "webp", "bmp", "gif"]);

/** Refuses text playlists and lists by their first bytes, whatever the file is called. */
export async function sniff(path: string): Promise<void> {
  const fh = await open(path, "r").catch((err: Error) => {
    throw new JobError("input_rejected", `cannot read input: ${err.message}`);
  });
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf
      .subarray(0, bytesRead)
      .toString("latin1")
      .replace(/^\uFEFF|^\xEF\xBB\xBF/, "");
    const trimmed = head.trimStart();
    if (bytesRead === 0) throw new JobError("input_rejected", "input is empty");
    if (/^#EXTM3U/i.test(trimmed) || /^#EXT-X-/im.test(head)) {
      throw new JobError("input_rejected", "HLS playlists are not accepted as inputs: send a media file");
    }
    if (/^ffconcat\b/i.test(trimmed) || /^\s*file\s+\S/im.test(head)) {
      throw new JobError("input_rejected", "concat lists are not accepted as inputs: send a media file");
    }
    if (/^<\?xml|^<MPD|^<smil|^\[playlist\]/i.test(trimmed)) {
      throw new JobError(
        "input_rejected",
        "playlists and manifests are not accepted as inputs: send a media file",
      );
    }
  } finally {
    await fh.close();
  }
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  pix_fmt?: string;
  profile?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  tags?: Record<string, string>;
  disposition?: { attached_pic?: number };
  side_data_list?: { rotation?: number }[];
}

function rate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split("/").map(Number);
  return d ? (n ?? 0) / d : (n ?? 0);
}

/** What ffprobe prints with `-print_format json -show_format -show_streams`. */
interface FfprobeOutput {
  format?: { format_name?: string; duration?: string; size?: string };
  streams?: FfprobeStream[];
}

/** The probe's kinds of input: what the caller needs the file to be. */
type ProbeKind = "video" | "audio" | "image" | "any";

/**
 * Probes a local file and enforces the limits. `kind` says what the caller needs: a video clip, an
 * audio track or a still image; `streams` adds the list of every stream to the answer. Errors are
 * {@link JobError}s with code `input_rejected` and a message that says what was wrong.
 */
export async function probeFile(
  path: string,
  opts: { limits?: ProbeLimits; kind?: ProbeKind; signal?: AbortSignal; streams?: boolean } = {},
): Promise<MediaInfo> {
  const limits = opts.limits ?? limitsFromEnv();
  const kind = opts.kind ?? "any";
  await sniff(path);
  const json = await ffprobeJson(path, opts.signal);
  const format = json.format?.format_name ?? "";
  const streams = json.streams ?? [];
  if (!format.split(",").some((f) => ALLOWED.has(f))) {
    throw new JobError("input_rejected", `format "${format}" is not accepted`);
  }
  if (streams.length === 0)
    throw new JobError("input_rejected", "not a media file: no audio or video streams");
  if (streams.length > limits.maxStreams) {
    throw new JobError("input_rejected", `too many streams: ${streams.length} (limit ${limits.maxStreams})`);
  }
  const v = streams.find((s) => s.codec_type === "video");
  const a = streams.find((s) => s.codec_type === "audio");
  const isImage =
    v !== undefined &&
    IMAGE_CODECS.has(v.codec_name ?? "") &&
    !a &&
    (format.startsWith("image2") || format.endsWith("_pipe"));
  if (v) checkDimensions(v, limits);
  const duration = Number(json.format?.duration ?? v?.duration ?? a?.duration ?? 0);
  if (!isImage) checkDuration(duration, limits);
  checkKind(kind, { video: v !== undefined, audio: a !== undefined, isImage });
  const info: MediaInfo = {
    format,
    duration_s: isImage ? 0 : duration,
    size_bytes: Number(json.format?.size ?? (await stat(path)).size),
  };
  if (v) info.video = videoInfo(v);
  if (a)
    info.audio = {
      codec: a.codec_name ?? "unknown",
      sample_rate: Number(a.sample_rate ?? 0),
      channels: a.channels ?? 0,
    };
  if (format.includes("mp4")) info.faststart = await moovBeforeMdat(path);
  if (opts.streams)
    info.streams = streams.map((s) => ({
      type: s.codec_type ?? "unknown",
      codec: s.codec_name ?? "unknown",
      attached_pic: s.disposition?.attached_pic === 1,
    }));
  return info;
}

/** Runs ffprobe behind the input guard; a file it cannot read is `input_rejected`. */
async function ffprobeJson(path: string, signal: AbortSignal | undefined): Promise<FfprobeOutput> {
  let raw: string;
  try {
    raw = await runFfprobe(
      [...inputGuard(), "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
      signal ? { signal } : {},
    );
  } catch (err) {
    if (err instanceof JobError && err.code === "ffmpeg_failed") {
      throw new JobError(
        "input_rejected",
        `not a readable media file (${err.message.replace(/^.*?: /, "")})`,
      );
    }
    throw err;
  }
  return JSON.parse(raw) as FfprobeOutput;
}

function checkDimensions(v: FfprobeStream, limits: ProbeLimits): void {
  const w = v.width ?? 0;
  const h = v.height ?? 0;
  if (w <= 0 || h <= 0)
    throw new JobError("input_rejected", "video stream has no dimensions: file is corrupt");
  if (w > limits.maxWidth || h > limits.maxHeight) {
    throw new JobError(
      "input_rejected",
      `dimensions ${w}x${h} exceed the limit of ${limits.maxWidth}x${limits.maxHeight}`,
    );
  }
}

function checkDuration(duration: number, limits: ProbeLimits): void {
  if (!Number.isFinite(duration) || duration <= 0)
    throw new JobError("input_rejected", "input has no duration: file is corrupt");
  if (duration > limits.maxDurationS) {
    throw new JobError(
      "input_rejected",
      `duration ${formatDuration(duration)} exceeds the limit of ${formatDuration(limits.maxDurationS)}`,
    );
  }
}

function checkKind(kind: ProbeKind, has: { video: boolean; audio: boolean; isImage: boolean }): void {
  if (kind === "video" && (!has.video || has.isImage))
    throw new JobError("input_rejected", "expected a video clip, found no video stream");
  if (kind === "image" && !has.isImage)
    throw new JobError("input_rejected", "expected a still image (PNG, JPEG or WebP)");
  if (kind === "audio" && !has.audio)
    throw new JobError("input_rejected", "expected an audio file, found no audio stream");
}

function videoInfo(v: FfprobeStream): NonNullable<MediaInfo["video"]> {
  const rotationTag = Number(v.tags?.rotate ?? 0);
  const rotation = v.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? rotationTag;
  return {
    codec: v.codec_name ?? "unknown",
    width: v.width ?? 0,
    height: v.height ?? 0,
    fps: rate(v.avg_frame_rate) || rate(v.r_frame_rate),
    pix_fmt: v.pix_fmt ?? "unknown",
    rotation,
    ...(v.profile ? { profile: v.profile } : {}),
  };
}

function formatDuration(s: number): string {
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(1)} s`;
}

const LAYOUT_CHANNELS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  "2.1": 3,
  "3.0": 3,
  quad: 4,
  "4.0": 4,
  "5.0": 5,
  "5.1": 6,
  "6.1": 7,
  "7.1": 8,
};

/**
 * The {@link MediaInfo} of a file from the description ffmpeg logs (at info level) when it opens it:
 * the same libavformat probe ffprobe runs, read from a pass that opens the file anyway (the QC pass
 * over a finished ad), so no ffprobe is launched. Pure; size and faststart are not in it (see
 * {@link describeFromLog}). Duration is to 10 ms, as ffmpeg prints it. Undefined without an input.
 */
export function parseInputLog(stderr: string): Omit<MediaInfo, "size_bytes"> | undefined {
  const start = stderr.search(/^Input #0, /m);
  if (start < 0) return undefined;
  const rest = stderr.slice(start);
  const end = rest.search(/^(?:Input #1|Output #|Stream mapping:)/m);
  const block = end < 0 ? rest : rest.slice(0, end);
  const format = /^Input #0, (.+), from '/m.exec(block)?.[1];
  if (!format) return undefined;
  const d = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(block);
  const info: Omit<MediaInfo, "size_bytes"> = {
    format,
    duration_s: d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : 0,
  };
  // "Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, progressive), 1080x1920 [SAR 1:1 ...], ..., 24 fps"
  const vline = /^ *Stream #0:\d+\S*: Video: ([^\n]*)/m.exec(block);
  const v = vline && /^(\w+)((?: \([^)]*\))*), (\w+)(?:\([^)]*\))?, (\d+)x(\d+)/.exec(vline[1]!);
  if (vline && v) {
    const profile = [...v[2]!.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!).find((p) => !p.includes(" / 0x"));
    const fps = /, ([\d.]+) fps/.exec(vline[1]!);
    const rotation = /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(block.slice(vline.index));
    info.video = {
      codec: v[1]!,
      width: Number(v[4]),
      height: Number(v[5]),
      fps: fps ? Number(fps[1]) : 0,
      pix_fmt: v[3]!,
      rotation: rotation ? Number(rotation[1]) : 0,
      ...(profile ? { profile } : {}),
    };
  }
  // "Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 160 kb/s"
  const a = /Stream #0:\d+\S*: Audio: (\w+)[^,\n]*, (\d+) Hz, ([^,\n]+)/.exec(block);
  if (a) {
    const layout = a[3]!.trim();
    const n = /^(\d+) channels/.exec(layout);
    info.audio = {
      codec: a[1]!,
      sample_rate: Number(a[2]),
      channels: n ? Number(n[1]) : (LAYOUT_CHANNELS[layout.replace(/\(.*\)$/, "")] ?? 0),
    };
  }
  return info;
}

/**
 * A finished output's {@link MediaInfo} from the log of a pass that opened it (see
 * {@link parseInputLog}), with its size and, for MP4, faststart read here in Node.
 */
export async function describeFromLog(path: string, stderr: string): Promise<MediaInfo | undefined> {
  const parsed = parseInputLog(stderr);
  if (!parsed) return undefined;
  const info: MediaInfo = { ...parsed, size_bytes: (await stat(path)).size };
  if (parsed.format.includes("mp4")) info.faststart = await moovBeforeMdat(path);
  return info;
}

/** Walks the top-level MP4 boxes: faststart means `moov` comes before `mdat`. */
export async function moovBeforeMdat(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    let pos = 0;
    const head = Buffer.alloc(16);
    while (pos + 8 <= size) {
      await fh.read(head, 0, 16, pos);
      let boxSize = head.readUInt32BE(0);
      const type = head.toString("latin1", 4, 8);
      if (type === "moov") return true;
      if (type === "mdat") return false;
      if (boxSize === 1) boxSize = Number(head.readBigUInt64BE(8));
      if (boxSize < 8) return false;
      pos += boxSize;
    }
    return false;
  } finally {
    await fh.close();
  }
}
