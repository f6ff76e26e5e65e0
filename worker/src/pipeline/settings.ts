/**
 * What a user can choose per generation (the product's "coherence settings"), validated once
 * here and stored with the generation as JSON.
 */
import { GRADE_PRESETS, MOODS } from "@promptreel/render-container/contract";
import { z } from "zod";
import {
  cleanPrompt,
  DEFAULT_SETTINGS as DEFAULTS,
  MAX_SEED,
  PROMPT_MAX,
  PROMPT_MIN,
  promptLength,
  WORKFLOWS,
} from "./rules.ts";

export const ASPECT_RATIOS = ["9:16", "1:1", "16:9"] as const;
/** The grades the render contract knows. */
export { GRADE_PRESETS };
/** A library mood, `auto` (the brand's mood) or `none` (no music). */
export const MUSIC_MOODS = ["auto", ...MOODS, "none"] as const;

export const GenerationSettingsSchema = z
  .object({
    /** Fixed seed for reproducible output; null picks one at random (and records it). */
    seed: z.number().int().min(0).max(MAX_SEED).nullable().default(DEFAULTS.seed),
    duration_s: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(DEFAULTS.duration_s),
    aspect_ratio: z.enum(ASPECT_RATIOS).default(DEFAULTS.aspect_ratio),
    grade: z.enum(GRADE_PRESETS).default(DEFAULTS.grade),
    music_mood: z.enum(MUSIC_MOODS).default(DEFAULTS.music_mood),
    /** A second LLM pass that refines the visual prompts for consistency. */
    enhanced_planning: z.boolean().default(DEFAULTS.enhanced_planning),
    /** `storyboard`: stop at keyframes for review and editing before rendering video. */
    workflow: z.enum(WORKFLOWS).default(DEFAULTS.workflow),
    /**
     * The id of one of the user's image assets (an upload or a generated reference): the product
     * or character every scene shows. Checked to be the caller's where generations are created
     * (pipeline/reference-image.ts); the pipeline only ever reads its own copy of it.
     */
    reference_image: z
      .uuid({ error: "Use the id of one of your image assets" })
      .nullable()
      .default(DEFAULTS.reference_image),
    /**
     * The id of one of the user's audio assets: the track under the ad, in place of the library
     * track of `music_mood` (trimmed, faded and loudness-normalised the same way).
     */
    music: z.uuid({ error: "Use the id of one of your audio assets" }).nullable().default(DEFAULTS.music),
    /**
     * The id of one of the user's image assets: the brand's logo, on an end card with the call
     * to action and small in a corner of every scene.
     */
    logo: z.uuid({ error: "Use the id of one of your image assets" }).nullable().default(DEFAULTS.logo),
  })
  .strict();
export type GenerationSettings = z.infer<typeof GenerationSettingsSchema>;

/** The settings a request gets when it names none (rules.ts holds them as plain values). */
export const DEFAULT_SETTINGS: GenerationSettings = DEFAULTS;

/** Output size for an aspect ratio (the long side is always 1920). */
export function outputSize(aspect: GenerationSettings["aspect_ratio"]): { width: number; height: number } {
  if (aspect === "1:1") return { width: 1080, height: 1080 };
  if (aspect === "16:9") return { width: 1920, height: 1080 };
  return { width: 1080, height: 1920 };
}

/** A prompt: cleaned (`cleanPrompt`), then 10-500 characters counted as code points. */
export const PromptSchema = z
  .string({ error: "Prompt is required" })
  .transform(cleanPrompt)
  .pipe(
    z
      .string()
      .refine((p) => promptLength(p) >= PROMPT_MIN, {
        error: `Prompt must be at least ${PROMPT_MIN} characters`,
      })
      .refine((p) => promptLength(p) <= PROMPT_MAX, {
        error: `Prompt must be at most ${PROMPT_MAX} characters`,
      }),
  );
