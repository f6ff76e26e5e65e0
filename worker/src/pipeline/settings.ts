/**
 * What a user can choose per generation (the product's "coherence settings"), validated once
 * here and stored with the generation as JSON.
 */
import { z } from "zod";

export const ASPECT_RATIOS = ["9:16", "1:1", "16:9"] as const;
export const GRADE_PRESETS = ["none", "warm", "cool", "cinematic", "vivid", "brand"] as const;
export const MUSIC_MOODS = ["auto", "upbeat", "calm", "luxury", "energetic", "corporate", "none"] as const;

export const GenerationSettingsSchema = z
  .object({
    /** Fixed seed for reproducible output; null picks one at random (and records it). */
    seed: z.number().int().min(0).max(2_147_483_647).nullable().default(null),
    duration_s: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(15),
    aspect_ratio: z.enum(ASPECT_RATIOS).default("9:16"),
    grade: z.enum(GRADE_PRESETS).default("brand"),
    music_mood: z.enum(MUSIC_MOODS).default("auto"),
    /** A second LLM pass that refines the visual prompts for consistency. */
    enhanced_planning: z.boolean().default(false),
    /**
     * An uploaded asset used as first frame or subject reference. Uploads do not exist yet, so
     * any value is refused: the pipeline must never be handed an R2 key the user does not own.
     */
    reference_image: z
      .string()
      .min(1)
      .max(100)
      .nullable()
      .default(null)
      .refine((v): boolean => v === null, {
        error: "Reference images need an uploaded asset; uploads are not available yet",
      }),
  })
  .strict();
export type GenerationSettings = z.infer<typeof GenerationSettingsSchema>;

/** The settings a request gets when it names none. */
export const DEFAULT_SETTINGS: GenerationSettings = GenerationSettingsSchema.parse({});

/** Output size for an aspect ratio (the long side is always 1920). */
export function outputSize(aspect: GenerationSettings["aspect_ratio"]): { width: number; height: number } {
  if (aspect === "1:1") return { width: 1080, height: 1080 };
  if (aspect === "16:9") return { width: 1920, height: 1080 };
  return { width: 1080, height: 1920 };
}

// C0/C1 control characters (tabs and newlines included): a prompt is one line of intent.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** A prompt: control characters replaced by spaces, trimmed, then 10-500 characters. */
export const PromptSchema = z
  .string({ error: "Prompt is required" })
  .transform((s) =>
    s
      .replace(CONTROL_CHARS, " ")
      .replace(/\s{2,}/g, " ")
      .trim(),
  )
  .pipe(
    z
      .string()
      .min(10, { error: "Prompt must be at least 10 characters" })
      .max(500, { error: "Prompt must be at most 500 characters" }),
  );
