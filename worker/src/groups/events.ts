/**
 * Everything the GroupCoordinator broadcasts over the live WebSocket: one zod discriminated
 * union on `type`, carrying the one generation read model (views/generation.ts). Every event
 * carries a per-group sequence number so clients can order them and drop anything older than
 * their snapshot.
 */
import { z } from "zod";
import { ExportViewSchema } from "../exports/view.ts";
import { GenerationViewSchema, SceneViewSchema } from "../views/generation.ts";

export type { GenerationView, SceneView } from "../views/generation.ts";

export const LiveEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("snapshot"),
    seq: z.number().int(),
    group_id: z.string(),
    generations: z.array(GenerationViewSchema),
  }),
  z.object({
    type: z.literal("generation"),
    seq: z.number().int(),
    generation: GenerationViewSchema,
    /** When the coordinator stored the change (epoch ms): how late the event is, for latency figures. */
    changed_at: z.number().optional(),
  }),
  z.object({
    type: z.literal("scene"),
    seq: z.number().int(),
    generation_id: z.string(),
    scene: SceneViewSchema,
  }),
  /** An export of one of the group's generations changed (queued, progress, made, failed). */
  z.object({
    type: z.literal("export"),
    seq: z.number().int(),
    generation_id: z.string(),
    export: ExportViewSchema,
  }),
]);
export type LiveEvent = z.infer<typeof LiveEventSchema>;
