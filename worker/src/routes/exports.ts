/**
 * Exports of a finished ad, and its caption files:
 *
 * - `POST /api/generations/:id/exports {format, quality, aspect?} | {preset, ...}`: 202 with the
 *   export (queued, or `joined: true` when it was already running), 200 with `cached: true` when it was made before
 *   (the same generation, version, format, quality and aspect: one row, one file). A preset is
 *   checked against its platform's limits first (422 naming the limit).
 * - `GET /api/generations/:id/exports` (newest first), `GET .../exports/:export_id`,
 *   `POST .../exports/:export_id/cancel`.
 * - `GET .../exports/:export_id/download`: the file as an attachment named
 *   `<product>-<aspect>-<quality>.<ext>`, counted. Like the caption files
 *   (`GET .../captions.vtt`, `.srt`), it takes the bearer token or the signed link the view gives.
 *
 * Progress arrives over the group's live socket as `export` events. Another user's generation or
 * export is a 404, like a missing one.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { adExports, generations } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { captionCues, captionFile } from "../exports/captions.ts";
import {
  type Aspect,
  downloadName,
  EXPORT_FORMATS,
  type ExportQuality,
  PRESET_NAMES,
  PRESETS,
  presetProblem,
  slug,
} from "../exports/formats.ts";
import { type ExportRow, exportView } from "../exports/view.ts";
import { coordinator } from "../groups/coordinator-client.ts";
import type { ExportTask } from "../groups/exports.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { logger } from "../lib/log.ts";
import { verifyApiSignature } from "../lib/media-signing.ts";
import { jsonBody, pathParams } from "../lib/validate.ts";
import { exportKey } from "../pipeline/media-keys.ts";
import { ASPECT_RATIOS } from "../pipeline/settings.ts";
import type { AdSpecification } from "../pipeline/spec.ts";
import { finishedVersions, sourceFromRow } from "../views/generation.ts";
import { ownGeneration } from "./ownership.ts";

const ExportRequestSchema = z
  .object({
    format: z.enum(EXPORT_FORMATS).optional(),
    quality: z.union([z.literal(480), z.literal(720), z.literal(1080)]).optional(),
    aspect: z.enum(ASPECT_RATIOS).optional(),
    preset: z.enum(PRESET_NAMES).optional(),
  })
  .strict()
  .refine((b) => b.preset || (b.format && b.quality), {
    path: ["format"],
    message: "Choose a preset, or a format and a quality",
  });

const IdParamSchema = z.object({ id: z.string().min(1).max(64) });
const ExportParamSchema = z.object({ id: z.string().min(1).max(64), export_id: z.uuid() });

const originOf = (url: string) => new URL(url).origin;

/** The caller's export `exportId` of generation `id`, or 404. */
async function ownExport(c: Context<AppEnv>, id: string, exportId: string): Promise<ExportRow> {
  const row = await getDb(c.env)
    .select()
    .from(adExports)
    .where(
      and(eq(adExports.id, exportId), eq(adExports.generationId, id), eq(adExports.userId, c.get("user").id)),
    )
    .get();
  if (!row) throw notFound("Export");
  return row;
}

/**
 * For files a browser fetches by link: a valid signed link for exactly this path lets the request
 * through as the generation's owner; otherwise the bearer token is required.
 */
const userOrSignedLink = createMiddleware<AppEnv>(async (c, next) => {
  const sig = c.req.query("sig");
  if (!sig) return requireUser(c, next);
  if (!(await verifyApiSignature(c.env, c.req.path, c.req.query("exp"), sig)))
    throw new ApiError(403, "forbidden", "This link is invalid or has expired.");
  const id = c.req.param("id") ?? "";
  const owner = await getDb(c.env)
    .select({ userId: generations.userId })
    .from(generations)
    .where(eq(generations.id, id))
    .get();
  if (!owner) throw notFound("Generation");
  c.set("user", { id: owner.userId, email: "" });
  await next();
});

/** A caption file of generation `id`'s latest version. */
async function captions(c: Context<AppEnv>, id: string, format: "vtt" | "srt") {
  const row = await ownGeneration(c.env, id, c.get("user").id);
  const latest = finishedVersions(sourceFromRow(row)).at(-1);
  if (!latest) throw new ApiError(409, "conflict", "The ad is not finished yet: it has no captions.");
  const spec = row.spec ? (JSON.parse(row.spec) as AdSpecification) : null;
  const name = `${slug(spec?.product ?? row.prompt)}-captions.${format}`;
  return c.body(captionFile(captionCues(latest.plan), format), 200, {
    "Content-Type": format === "vtt" ? "text/vtt; charset=utf-8" : "application/x-subrip; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}"`,
  });
}

export const exportRoutes = new Hono<AppEnv>()
  .post(
    "/generations/:id/exports",
    requireUser,
    pathParams(IdParamSchema),
    jsonBody(ExportRequestSchema),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const userId = c.get("user").id;
      const row = await ownGeneration(c.env, id, userId);
      const source = sourceFromRow(row);
      const latest = finishedVersions(source).at(-1);
      if (!latest)
        throw new ApiError(
          409,
          "conflict",
          `Only a finished ad can be exported; this generation is ${row.status}.`,
        );
      const preset = body.preset ? PRESETS[body.preset]! : null;
      const format = body.format ?? preset!.format;
      const quality = (body.quality ?? preset!.quality) as ExportQuality;
      const aspect: Aspect = body.aspect ?? preset?.aspect ?? source.settings.aspect_ratio;
      if (preset) {
        const problem = presetProblem(preset, latest.plan.target_duration_s, quality);
        if (problem)
          throw new ApiError(422, "validation_failed", problem, {
            details: { preset: preset.name, limits: preset.limits },
          });
      }
      const variant = { version: latest.version, format, quality, aspect };
      const db = getDb(c.env);
      const inserted = await db
        .insert(adExports)
        .values({
          id: crypto.randomUUID(),
          userId,
          generationId: id,
          ...variant,
          preset: preset?.name ?? null,
          r2Key: exportKey(id, variant),
          createdAt: Date.now(),
        })
        .onConflictDoNothing()
        .returning({ id: adExports.id });
      let record = (await db
        .select()
        .from(adExports)
        .where(
          and(
            eq(adExports.generationId, id),
            eq(adExports.version, variant.version),
            eq(adExports.format, format),
            eq(adExports.quality, quality),
            eq(adExports.aspect, aspect),
          ),
        )
        .get())!;
      const presetInfo = preset ? { name: preset.name, label: preset.label, limits: preset.limits } : null;
      if (record.status === "completed" && (await c.env.MEDIA.head(record.r2Key))) {
        const view = await exportView(c.env, originOf(c.req.url), record);
        return c.json({ ...view, cached: true, joined: false, preset_info: presetInfo }, 200);
      }
      // Asked for before and still queued or running: this request joins it.
      const joined = inserted.length === 0 && (record.status === "queued" || record.status === "processing");
      if (record.status === "completed" || record.status === "failed") {
        // Made before but gone from storage, or failed: made again.
        await db
          .update(adExports)
          .set({ status: "queued", progress: 0, error: null, cancelled: false, completedAt: null })
          .where(eq(adExports.id, record.id));
        record = {
          ...record,
          status: "queued",
          progress: 0,
          error: null,
          cancelled: false,
          completedAt: null,
        };
      }
      const task: ExportTask = {
        id: record.id,
        generationId: id,
        ...variant,
        r2Key: record.r2Key,
        status: "queued",
        progress: 0,
        error: null,
        cancelled: false,
        sizeBytes: null,
        durationS: null,
        completedAt: null,
      };
      await coordinator(c.env, row.groupId).startExport(task);
      logger(c).info("export requested", {
        user_id: userId,
        generation_id: id,
        export_id: record.id,
        ...variant,
      });
      const view = await exportView(c.env, originOf(c.req.url), record);
      return c.json({ ...view, cached: false, joined, preset_info: presetInfo }, 202);
    },
  )
  .get("/generations/:id/exports", requireUser, pathParams(IdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    await ownGeneration(c.env, id, c.get("user").id);
    const rows = await getDb(c.env)
      .select()
      .from(adExports)
      .where(eq(adExports.generationId, id))
      .orderBy(desc(adExports.createdAt))
      .all();
    const origin = originOf(c.req.url);
    return c.json({ exports: await Promise.all(rows.map((r) => exportView(c.env, origin, r))) }, 200);
  })
  .get("/generations/:id/exports/:export_id", requireUser, pathParams(ExportParamSchema), async (c) => {
    const { id, export_id } = c.req.valid("param");
    return c.json(await exportView(c.env, originOf(c.req.url), await ownExport(c, id, export_id)), 200);
  })
  .post(
    "/generations/:id/exports/:export_id/cancel",
    requireUser,
    pathParams(ExportParamSchema),
    async (c) => {
      const { id, export_id } = c.req.valid("param");
      await ownExport(c, id, export_id);
      const row = await ownGeneration(c.env, id, c.get("user").id);
      const cancelled = await coordinator(c.env, row.groupId).cancelExport(export_id);
      if (!cancelled) throw new ApiError(409, "conflict", "This export is not queued or running.");
      return c.json(await exportView(c.env, originOf(c.req.url), await ownExport(c, id, export_id)), 202);
    },
  )
  .get(
    "/generations/:id/exports/:export_id/download",
    userOrSignedLink,
    pathParams(ExportParamSchema),
    async (c) => {
      const { id, export_id } = c.req.valid("param");
      const record = await ownExport(c, id, export_id);
      if (record.status !== "completed") throw new ApiError(409, "conflict", "This export is not ready yet.");
      const object = await c.env.MEDIA.get(record.r2Key);
      if (!object) throw new ApiError(404, "not_found", "This export's file is gone; export it again.");
      const generation = await ownGeneration(c.env, id, c.get("user").id);
      const spec = generation.spec ? (JSON.parse(generation.spec) as AdSpecification) : null;
      const name = downloadName(
        spec?.product ?? generation.prompt,
        record.aspect as Aspect,
        record.quality as ExportQuality,
        record.format,
      );
      await getDb(c.env)
        .update(adExports)
        .set({ downloads: sql`${adExports.downloads} + 1` })
        .where(eq(adExports.id, record.id));
      return new Response(object.body, {
        headers: {
          "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
          "Content-Length": String(object.size),
          "Content-Disposition": `attachment; filename="${name}"`,
          "X-Content-Type-Options": "nosniff",
        },
      });
    },
  )
  .get("/generations/:id/captions.vtt", userOrSignedLink, pathParams(IdParamSchema), (c) =>
    captions(c, c.req.valid("param").id, "vtt"),
  )
  .get("/generations/:id/captions.srt", userOrSignedLink, pathParams(IdParamSchema), (c) =>
    captions(c, c.req.valid("param").id, "srt"),
  );
