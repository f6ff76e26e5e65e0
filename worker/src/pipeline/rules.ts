/**
 * What a request may contain, as plain values: the settings defaults, the prompt's limits and
 * clean-up rule, and the variation limits. The zod schemas (settings.ts, routes) are built from
 * these, and the web app imports this module (`@promptreel/worker/rules`) to validate as the
 * server does. No zod here, so the web bundle stays free of it.
 */

/**
 * The settings a request gets when it names none; the schema's defaults come from here (and
 * settings.ts checks at compile time that this is a valid `GenerationSettings`).
 */
export const DEFAULT_SETTINGS = {
  seed: null,
  duration_s: 15,
  aspect_ratio: "9:16",
  grade: "brand",
  music_mood: "auto",
  enhanced_planning: false,
  reference_image: null,
  music: null,
  logo: null,
  workflow: "auto",
} as const;

/**
 * How a generation runs: `auto` goes straight from prompt to finished ad; `storyboard` stops
 * after a keyframe per scene for the user to edit and approve before paying for video.
 */
export const WORKFLOWS = ["auto", "storyboard"] as const;

/** How many scenes an ad has. */
export const MIN_SCENES = 3;
export const MAX_SCENES = 5;

/** Plain-language scene refinements a generation may ask the LLM for. */
export const MAX_REFINEMENTS = 5;

/** The largest seed accepted (a signed 32-bit integer). */
export const MAX_SEED = 2_147_483_647;

/**
 * Prompt length limits, counted after {@link cleanPrompt} in characters as a person counts them:
 * Unicode code points ({@link promptLength}), so an emoji is one, not the two UTF-16 units
 * JavaScript's `length` gives it.
 */
export const PROMPT_MIN = 10;
export const PROMPT_MAX = 500;

// C0/C1 control characters (tabs and newlines included): a prompt is one line of intent.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]+/g;
/**
 * Invisible characters that pad a prompt past its limit, reorder what a reviewer sees, or smuggle
 * text past them: every Default_Ignorable_Code_Point of Unicode (zero-width spaces and joiners and
 * the directional marks U+200B-U+200F, the bidi embeddings and overrides U+202A-U+202E, the
 * isolates U+2066-U+2069, the byte-order mark, the soft hyphen, word joiner and invisible operators
 * U+2060-U+2064, the Hangul fillers, variation selectors, and the tag characters U+E0000-U+E007F
 * that can spell hidden ASCII), plus the blank braille pattern U+2800, which renders as nothing.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * The prompt as the server stores it: NFC, invisible characters removed, control characters become
 * spaces, runs of spaces one, trimmed.
 */
export function cleanPrompt(prompt: string): string {
  return prompt
    .normalize("NFC")
    .replace(INVISIBLE, "")
    .replace(CONTROL_CHARS, " ")
    .replace(/\s{2,}/g, " ")
    .trim();
}

/** A cleaned prompt's length as the limits count it: code points. */
export const promptLength = (cleaned: string) => [...cleaned].length;

/** How many variations one parallel request makes. */
export const MIN_VARIATIONS = 2;
export const MAX_VARIATIONS = 5;
/** Longest settings-profile name. */
export const PROFILE_NAME_MAX = 40;

/** The name a settings profile gets when it has none: "Profile A", "Profile B", ... */
export const profileName = (i: number) => `Profile ${String.fromCharCode(65 + i)}`;

/** Seconds each scene overlaps the next (the crossfade at every cut). */
export const CROSSFADE_S = 0.5;

/** A stitch of the user's own clips (POST /api/stitch). */
export const STITCH = {
  /** Clips one stitch takes. */
  clips: { min: 2, max: 8 },
  /** A clip shorter than this cannot carry a crossfade on both sides. */
  minClipS: 1,
  /** Longer clips are trimmed to their first seconds. */
  maxClipS: 15,
  /** The longest ad a stitch makes. */
  maxAdS: 60,
  /** Text on one clip, characters. */
  overlayMax: 120,
  /** The ad's title, characters. */
  titleMax: 80,
} as const;

/** Seconds of a clip a stitch uses: its length, at most `STITCH.maxClipS`, in whole 24 fps frames. */
export const stitchedClipSeconds = (durationS: number) =>
  Math.floor(Math.min(durationS, STITCH.maxClipS) * 24 + 1e-6) / 24;

/** The length of an ad stitched from clips of these lengths: each clip used, less a crossfade per cut. */
export const stitchedAdSeconds = (durationsS: readonly number[]) =>
  durationsS.reduce((sum, d) => sum + stitchedClipSeconds(d), 0) -
  CROSSFADE_S * Math.max(0, durationsS.length - 1);

/** A batch of reference candidates (POST /api/references). */
export const REFERENCES = {
  /** The description, characters after clean-up. */
  description: { min: 3, max: 300 },
  /** The optional style, characters. */
  styleMax: 100,
  /** Candidates a batch may ask for. */
  count: { min: 1, max: 4, default: 4 },
} as const;

/** Containers an ad is exported in. */
export const EXPORT_FORMATS = ["mp4", "mov", "webm"] as const;
/** Export qualities: the short side of the frame, in pixels. */
export const EXPORT_QUALITIES = [480, 720, 1080] as const;

/**
 * The platform presets, in the order the export dialog offers them: what each makes (`aspect`
 * null: the ad's own) and its platform's published upload limits for organic posts (December
 * 2026; the strictest variant where a platform has several), checked before an export starts.
 */
export const EXPORT_PRESETS = [
  {
    name: "tiktok",
    label: "TikTok",
    format: "mp4",
    quality: 1080,
    aspect: "9:16",
    limits: { max_duration_s: 600, max_size_mb: 287, max_video_kbps: 20000 },
  },
  {
    name: "reels",
    label: "Instagram Reels",
    format: "mp4",
    quality: 1080,
    aspect: "9:16",
    limits: { max_duration_s: 180, max_size_mb: 4000, max_video_kbps: 25000 },
  },
  {
    name: "shorts",
    label: "YouTube Shorts",
    format: "mp4",
    quality: 1080,
    aspect: "9:16",
    limits: { max_duration_s: 180, max_size_mb: 256000, max_video_kbps: 50000 },
  },
  {
    name: "instagram_feed",
    label: "Instagram feed",
    format: "mp4",
    quality: 1080,
    aspect: "1:1",
    limits: { max_duration_s: 60, max_size_mb: 4000, max_video_kbps: 25000 },
  },
  {
    name: "youtube",
    label: "YouTube",
    format: "mp4",
    quality: 1080,
    aspect: "16:9",
    limits: { max_duration_s: 43200, max_size_mb: 256000, max_video_kbps: 50000 },
  },
  {
    name: "x",
    label: "X",
    format: "mp4",
    quality: 720,
    aspect: "16:9",
    limits: { max_duration_s: 140, max_size_mb: 512, max_video_kbps: 25000 },
  },
  {
    name: "web",
    label: "Web embed (WebM)",
    format: "webm",
    quality: 720,
    aspect: null,
    limits: { max_duration_s: 600, max_size_mb: 100, max_video_kbps: 4000 },
  },
] as const satisfies readonly {
  name: string;
  label: string;
  format: (typeof EXPORT_FORMATS)[number];
  quality: (typeof EXPORT_QUALITIES)[number];
  aspect: "9:16" | "1:1" | "16:9" | null;
  limits: { max_duration_s: number; max_size_mb: number; max_video_kbps: number };
}[];
