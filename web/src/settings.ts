/**
 * The generation settings as the form shows them: choices and labels. The types come from the
 * Worker's schema, so a new value there fails the typecheck here until it has a label; the
 * defaults, limits and prompt rule are the Worker's own (`@promptreel/worker/rules`, zod-free).
 */
import {
  cleanPrompt,
  DEFAULT_SETTINGS,
  MAX_SEED,
  PROMPT_MAX,
  PROMPT_MIN,
  promptLength,
} from "@promptreel/worker/rules";
import type { GenerationSettings } from "@promptreel/worker/settings";

export type { GenerationSettings };
export { cleanPrompt, DEFAULT_SETTINGS, MAX_SEED, PROMPT_MAX, PROMPT_MIN, promptLength };

/** The defaults as a complete settings value (the rules module keeps them as literals). */
const DEFAULTS: GenerationSettings = DEFAULT_SETTINGS;

type Options<K extends keyof GenerationSettings> = { [V in GenerationSettings[K] & PropertyKey]: string };

/** Durations, seconds -> label. */
export const DURATIONS: Options<"duration_s"> = { 15: "15 s", 30: "30 s", 60: "60 s" };

/** Aspect ratios with where each one plays best. */
export const ASPECT_RATIOS: Options<"aspect_ratio"> = {
  "9:16": "Vertical · TikTok, Reels, Shorts",
  "1:1": "Square · feeds",
  "16:9": "Landscape · YouTube, web",
};

/** Colour grades. */
export const GRADES: Options<"grade"> = {
  brand: "Brand colours",
  none: "None",
  warm: "Warm",
  cool: "Cool",
  cinematic: "Cinematic",
  vivid: "Vivid",
};

/** Music moods. */
export const MUSIC_MOODS: Options<"music_mood"> = {
  auto: "Match the prompt",
  upbeat: "Upbeat",
  energetic: "Energetic",
  calm: "Calm",
  luxury: "Luxury",
  corporate: "Corporate",
  none: "No music",
};

/** Reads settings stored as JSON (a draft or a generation record), filling gaps with defaults. */
export function normalizeSettings(raw: unknown): GenerationSettings {
  const s = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const pick = <K extends keyof GenerationSettings>(key: K, allowed: object): GenerationSettings[K] =>
    String(s[key]) in allowed ? (s[key] as GenerationSettings[K]) : DEFAULTS[key];
  const seed = s.seed;
  return {
    seed: typeof seed === "number" && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED ? seed : null,
    duration_s: Number(pick("duration_s", DURATIONS)) as GenerationSettings["duration_s"],
    aspect_ratio: pick("aspect_ratio", ASPECT_RATIOS),
    grade: pick("grade", GRADES),
    music_mood: pick("music_mood", MUSIC_MOODS),
    enhanced_planning: s.enhanced_planning === true,
    reference_image: typeof s.reference_image === "string" ? s.reference_image : null,
    music: typeof s.music === "string" ? s.music : null,
    logo: typeof s.logo === "string" ? s.logo : null,
    workflow: s.workflow === "storyboard" ? "storyboard" : "auto",
  };
}

/** Prompt validation as the server does it (control characters to spaces, trimmed). */
export function promptProblem(prompt: string): string | null {
  const length = promptLength(cleanPrompt(prompt));
  if (length === 0) return "Describe the ad you want.";
  if (length < PROMPT_MIN)
    return `Add ${PROMPT_MIN - length} more character${PROMPT_MIN - length === 1 ? "" : "s"} (at least ${PROMPT_MIN}).`;
  if (length > PROMPT_MAX)
    return `Shorten by ${length - PROMPT_MAX} character${length - PROMPT_MAX === 1 ? "" : "s"} (at most ${PROMPT_MAX}).`;
  return null;
}

/** A one-line summary of settings, e.g. "15 s · 9:16 · Brand colours · Match the prompt". */
export function settingsSummary(s: GenerationSettings): string {
  return [DURATIONS[s.duration_s], s.aspect_ratio, GRADES[s.grade], MUSIC_MOODS[s.music_mood]].join(" · ");
}
