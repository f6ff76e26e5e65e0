/**
 * Versions of a finished ad. `POST /generations/:id/versions` opens a draft of the next version
 * (a storyboard of the ad's scenes, keyframed from its own clips); the storyboard routes edit
 * and approve it, and approval re-renders only what changed. Editing a finished ad through
 * those routes directly opens the draft too. `GET` lists the finished versions, each playable
 * and downloadable; the latest is the ad's default.
 */
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import type { AppEnv } from "../env.ts";
import { coordinator } from "../groups/coordinator-client.ts";
import { logger } from "../lib/log.ts";
import { pathParams } from "../lib/validate.ts";
import { ownGeneration } from "./ownership.ts";
import { rowView } from "./serialize.ts";
import { refusal } from "./storyboard.ts";

const IdSchema = z.object({ id: z.string().min(1).max(64) });

export const versionRoutes = new Hono<AppEnv>()
  .post("/generations/:id/versions", requireUser, pathParams(IdSchema), async (c) => {
    const { id } = c.req.valid("param");
    const row = await ownGeneration(c.env, id, c.get("user").id);
    const result = await coordinator(c.env, row.groupId).openVersion(id);
    if ("refused" in result) throw refusal(result.refused);
    logger(c).info("version draft", {
      generation_id: id,
      version: result.view.version,
      opened: result.opened,
    });
    // 201: a draft was opened now; 200: one was open already.
    return c.json(result.view, result.opened ? 201 : 200);
  })
  .get("/generations/:id/versions", requireUser, pathParams(IdSchema), async (c) => {
    const { id } = c.req.valid("param");
    const view = await rowView(c, await ownGeneration(c.env, id, c.get("user").id));
    return c.json(
      {
        generation_id: view.generation_id,
        latest: view.versions.at(-1)?.version ?? null,
        versions: view.versions,
      },
      200,
    );
  });
