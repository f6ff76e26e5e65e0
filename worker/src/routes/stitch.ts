/**
 * `POST /api/stitch`: an ad from the user's own clips. Body `{clips: [2-8 video asset ids, in
 * order], overlays?: [text | null per clip], title?, music?: audio asset id | library mood,
 * grade?, aspect?, logo?: image asset id}` → 202 like `POST /api/generate`. The generation skips
 * the LLM and video stages and is composed like any ad (pipeline/stitch.ts), shows in the library,
 * and costs nothing but one unit of the hourly limit.
 *
 * Every id must be one of the caller's assets (another user's is a 404, as a missing one); a clip
 * must be a video of at least a second; the ad at most 60 s.
 */
import { and, eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { assets } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { createAndStartGroup } from "../groups/coordinator-client.ts";
import { notFound } from "../lib/errors.ts";
import { logger } from "../lib/log.ts";
import { fieldError, jsonBody } from "../lib/validate.ts";
import { STITCH } from "../pipeline/rules.ts";
import {
  ASPECT_RATIOS,
  DEFAULT_SETTINGS,
  type GenerationSettings,
  GRADE_PRESETS,
  MUSIC_MOODS,
} from "../pipeline/settings.ts";
import {
  MAX_STITCH_S,
  MIN_CLIP_S,
  STITCH_CLIPS,
  type StitchClip,
  stitchedDuration,
} from "../pipeline/stitch.ts";

const AssetId = z.uuid({ error: "Use the id of one of your assets" });
const Text = z
  .string()
  .trim()
  .max(STITCH.overlayMax, { error: `Text on a clip is at most ${STITCH.overlayMax} characters` })
  .nullable();

const StitchSchema = z
  .object({
    clips: z
      .array(AssetId)
      .min(STITCH_CLIPS.min, { error: `Choose at least ${STITCH_CLIPS.min} clips` })
      .max(STITCH_CLIPS.max, { error: `Choose at most ${STITCH_CLIPS.max} clips` }),
    overlays: z.array(Text).max(STITCH_CLIPS.max).optional(),
    title: z.string().trim().min(1).max(STITCH.titleMax).optional(),
    music: z.union([AssetId, z.enum(MUSIC_MOODS)]).optional(),
    grade: z.enum(GRADE_PRESETS).optional(),
    aspect: z.enum(ASPECT_RATIOS).optional(),
    logo: AssetId.optional(),
  })
  .strict()
  .refine((b) => (b.overlays?.length ?? 0) <= b.clips.length, {
    path: ["overlays"],
    message: "Give at most one text per clip",
  });

const isMood = (m: string): m is (typeof MUSIC_MOODS)[number] =>
  (MUSIC_MOODS as readonly string[]).includes(m);

export const stitchRoutes = new Hono<AppEnv>().post(
  "/stitch",
  requireUser,
  jsonBody(StitchSchema),
  async (c) => {
    const body = c.req.valid("json");
    const userId = c.get("user").id;
    const rows = await getDb(c.env)
      .select({ id: assets.id, kind: assets.kind, r2Key: assets.r2Key, durationS: assets.durationS })
      .from(assets)
      .where(and(eq(assets.userId, userId), inArray(assets.id, [...new Set(body.clips)])))
      .all();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const clips = body.clips.map((id, i): StitchClip => {
      const row = byId.get(id);
      if (!row) throw notFound("Asset");
      if (row.kind !== "video") throw fieldError(`clips.${i}`, `Asset ${id} is ${row.kind}, not a video`);
      if ((row.durationS ?? 0) < MIN_CLIP_S)
        throw fieldError(`clips.${i}`, `Clip ${i + 1} is shorter than ${MIN_CLIP_S} s`);
      return { assetId: id, key: row.r2Key, durationS: row.durationS! };
    });
    const total = stitchedDuration(clips);
    if (total > MAX_STITCH_S)
      throw fieldError(
        "clips",
        `These clips make a ${total.toFixed(1)} s ad; the most is ${MAX_STITCH_S} s (each clip counts at most 15 s)`,
      );
    const music = body.music;
    const settings: GenerationSettings = {
      ...DEFAULT_SETTINGS,
      duration_s: total <= 15 ? 15 : total <= 30 ? 30 : 60,
      aspect_ratio: body.aspect ?? DEFAULT_SETTINGS.aspect_ratio,
      grade: body.grade ?? "none",
      music_mood: music && isMood(music) ? music : DEFAULT_SETTINGS.music_mood,
      music: music && !isMood(music) ? music : null,
      logo: body.logo ?? null,
    };
    const title = body.title ?? `Stitched from ${clips.length} clips`;
    const overlays = clips.map((_, i) => body.overlays?.[i] ?? "");
    const created = await createAndStartGroup(c.env, logger(c), {
      userId,
      origin: new URL(c.req.url).origin,
      comparisonType: "single",
      items: [{ prompt: title, settings, stitch: { clips, title, overlays } }],
    });
    const generationId = created.generationIds[0]!;
    logger(c).info("stitch created", { user_id: userId, generation_id: generationId, clips: clips.length });
    return c.json(
      {
        generation_id: generationId,
        group_id: created.groupId,
        status: "pending" as const,
        message: "Stitching started. Follow it at /api/status/:id or over the group's live socket.",
      },
      202,
    );
  },
);
