/**
 * The ad specification (what the LLM stage writes) and the scene plan (what the planner
 * cuts it into). Both are zod schemas so that an LLM's answer is validated before use.
 *
 * The specification schema is also sent to OpenAI as a strict structured-output schema,
 * which is why every field is required (nullable where it may be absent).
 */

import {
  type Brand,
  MoodSchema,
  OVERLAY_ANIMATIONS,
  OVERLAY_POSITIONS,
  SceneTypeSchema,
} from "@promptreel/render-container/contract";
import { z } from "zod";

export const FRAMEWORKS = ["AIDA", "PAS", "BAB"] as const;
export const FrameworkSchema = z.enum(FRAMEWORKS);
export type Framework = z.infer<typeof FrameworkSchema>;

/** The scene types of each framework, in order. */
export const FRAMEWORK_STAGES: Record<Framework, z.infer<typeof SceneTypeSchema>[]> = {
  AIDA: ["attention", "interest", "desire", "action"],
  PAS: ["problem", "agitate", "solution", "action"],
  BAB: ["before", "after", "bridge", "action"],
};

const HexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/);

export const SpecSceneSchema = z.object({
  type: SceneTypeSchema,
  /** On-screen copy: short, punchy, at most ~8 words. */
  overlay_text: z.string().min(1).max(120),
  /** What the video model should show. */
  visual_prompt: z.string().min(1).max(600),
});
export type SpecScene = z.infer<typeof SpecSceneSchema>;

export const AdSpecificationSchema = z.object({
  product: z.string().min(1).max(120),
  brand: z.object({
    name: z.string().min(1).max(60),
    /**
     * True when the name was made up because the prompt named no brand. Optional (older specs
     * lack it) and nullable, because OpenAI's strict structured outputs need every field.
     */
    invented: z.boolean().nullable().optional(),
    colours: z.array(HexColour).min(2).max(4),
    mood: MoodSchema,
    visual_style: z.string().min(1).max(120),
  }),
  audience: z.string().min(1).max(160),
  platform: z.string().min(1).max(40),
  framework: FrameworkSchema,
  target_duration_s: z.number().int().min(5).max(60),
  call_to_action: z.string().min(1).max(60),
  scenes: z.array(SpecSceneSchema).min(3).max(5),
});
export type AdSpecification = z.infer<typeof AdSpecificationSchema>;

export const PlannedSceneSchema = z.object({
  index: z.number().int().min(0),
  type: SceneTypeSchema,
  /** Seconds this scene is on screen; all scenes sum to the target duration. */
  duration_s: z.number().positive(),
  visual_prompt: z.string(),
  overlay: z.object({
    text: z.string(),
    position: z.enum(OVERLAY_POSITIONS),
    animation: z.enum(OVERLAY_ANIMATIONS),
  }),
  /** Derived from the generation's seed, so one seed reproduces every scene. */
  seed: z.number().int().min(0),
});
export type PlannedScene = z.infer<typeof PlannedSceneSchema>;

export const ScenePlanSchema = z.object({
  framework: FrameworkSchema,
  target_duration_s: z.number(),
  scenes: z.array(PlannedSceneSchema).min(3).max(5),
});
export type ScenePlan = z.infer<typeof ScenePlanSchema>;

/** The brand as the renderers take it (name, palette, mood, style). */
export const brandOf = (spec: AdSpecification): Brand => ({
  name: spec.brand.name,
  colours: spec.brand.colours,
  mood: spec.brand.mood,
  style: spec.brand.visual_style,
});
