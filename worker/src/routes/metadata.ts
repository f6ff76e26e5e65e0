/**
 * `GET /api/generations/:id/metadata`: everything known about an ad, for people and tools: the
 * generation view, the full specification and plan, settings, versions, exports, per-stage
 * timings, the cost breakdown, and the master (latest version) as measured when it was made
 * (codecs, size, bitrate, faststart, integrated loudness and true peak). The web app offers it as
 * a JSON download.
 */
import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { adExports } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { exportView } from "../exports/view.ts";
import { coordinator } from "../groups/coordinator-client.ts";
import { pathParams } from "../lib/validate.ts";
import type { AdSpecification, ScenePlan } from "../pipeline/spec.ts";
import { ownGeneration } from "./ownership.ts";
import { rowView } from "./serialize.ts";

const IdParamSchema = z.object({ id: z.string().min(1).max(64) });

const parsed = <T>(json: string | null): T | null => (json ? (JSON.parse(json) as T) : null);

export const metadataRoutes = new Hono<AppEnv>().get(
  "/generations/:id/metadata",
  requireUser,
  pathParams(IdParamSchema),
  async (c) => {
    const { id } = c.req.valid("param");
    const row = await ownGeneration(c.env, id, c.get("user").id);
    const origin = new URL(c.req.url).origin;
    const [view, facts, exportRows] = await Promise.all([
      rowView(c, row),
      coordinator(c.env, row.groupId).facts(id),
      getDb(c.env)
        .select()
        .from(adExports)
        .where(eq(adExports.generationId, id))
        .orderBy(desc(adExports.createdAt))
        .all(),
    ]);
    const latest = view.versions.at(-1)?.version ?? null;
    const master = latest !== null ? facts?.masters?.[latest] : undefined;
    return c.json(
      {
        generation: view,
        spec: parsed<AdSpecification>(row.spec),
        plan: parsed<ScenePlan>(row.scenePlan),
        settings: view.settings,
        versions: view.versions,
        exports: await Promise.all(exportRows.map((r) => exportView(c.env, origin, r))),
        timings: {
          /** Milliseconds per stage, all tries and re-renders summed. */
          stages_ms: facts?.stageMs ?? {},
          generation_time_s: view.generation_time_s,
        },
        cost_breakdown: view.cost_breakdown,
        master: master
          ? {
              version: latest,
              format: master.probe.format,
              duration_s: master.probe.duration_s,
              size_bytes: master.probe.size_bytes,
              bitrate_kbps: Math.round((master.probe.size_bytes * 8) / master.probe.duration_s / 1000),
              faststart: master.probe.faststart ?? null,
              video: master.probe.video ?? null,
              audio: master.probe.audio ?? null,
              loudness: master.loudness,
            }
          : null,
      },
      200,
    );
  },
);
