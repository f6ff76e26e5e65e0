/**
 * Everything the GroupCoordinator broadcasts over the live WebSocket: one zod discriminated
 * union on `type`. Every event carries a per-group sequence number so clients can order them
 * and drop anything older than their snapshot.
 */
import { z } from "zod";
import { GENERATION_STATUSES } from "../db/schema.ts";

export const SceneViewSchema = z.object({
  index: z.number().int(),
  type: z.string(),
  status: z.enum(["pending", "rendering", "ready", "failed"]),
  overlay_text: z.string(),
  duration_s: z.number(),
  /** Signed, playable as soon as the clip exists. */
  clip_url: z.string().nullable(),
});
export type SceneView = z.infer<typeof SceneViewSchema>;

export const CostBreakdownSchema = z.object({
  enhance: z.number(),
  plan: z.number(),
  clips: z.array(z.object({ scene: z.number(), model: z.string(), seconds: z.number(), cost: z.number() })),
  compose: z.number(),
  total: z.number(),
});

export const GenerationViewSchema = z.object({
  generation_id: z.string(),
  group_id: z.string(),
  status: z.enum(GENERATION_STATUSES),
  progress: z.number().int().min(0).max(100),
  current_step: z.string().nullable(),
  scenes: z.array(SceneViewSchema),
  cost: z.number(),
  cost_breakdown: CostBreakdownSchema.nullable(),
  video_url: z.string().nullable(),
  thumbnail_url: z.string().nullable(),
  error: z.string().nullable(),
  started_at: z.number().nullable(),
  completed_at: z.number().nullable(),
});
export type GenerationView = z.infer<typeof GenerationViewSchema>;

export const LiveEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("snapshot"),
    seq: z.number().int(),
    group_id: z.string(),
    generations: z.array(GenerationViewSchema),
  }),
  z.object({ type: z.literal("generation"), seq: z.number().int(), generation: GenerationViewSchema }),
  z.object({
    type: z.literal("scene"),
    seq: z.number().int(),
    generation_id: z.string(),
    scene: SceneViewSchema,
  }),
]);
export type LiveEvent = z.infer<typeof LiveEventSchema>;
