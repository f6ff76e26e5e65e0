/**
 * The HTTP API: one Hono app of chained sub-apps, so `AppType` carries every route's input
 * and output types to the web app's typed client (`hc<AppType>`).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env.ts";
import { ApiError, errorBody, handleError } from "./lib/errors.ts";
import { requestLog } from "./lib/request-log.ts";
import { requireJsonBodies } from "./lib/validate.ts";
import { assetRoutes } from "./routes/assets.ts";
import { authRoutes } from "./routes/auth.ts";
import { comparisonRoutes } from "./routes/comparisons.ts";
import { estimateRoutes } from "./routes/estimate.ts";
import { exportRoutes } from "./routes/exports.ts";
import { generationRoutes } from "./routes/generations.ts";
import { groupRoutes } from "./routes/groups.ts";
import { healthRoutes } from "./routes/health.ts";
import { meRoutes } from "./routes/me.ts";
import { mediaRoutes } from "./routes/media.ts";
import { metadataRoutes } from "./routes/metadata.ts";
import { referenceRoutes } from "./routes/references.ts";
import { stitchRoutes } from "./routes/stitch.ts";
import { storyboardRoutes } from "./routes/storyboard.ts";
import { versionRoutes } from "./routes/versions.ts";

/** JSON bodies are small; uploads go through signed media links, which have their own limit. */
const MAX_JSON_BYTES = 64 * 1024;

const api = new Hono<AppEnv>()
  .use(
    bodyLimit({
      maxSize: MAX_JSON_BYTES,
      onError: () => {
        throw new ApiError(
          413,
          "payload_too_large",
          `Request body is larger than ${MAX_JSON_BYTES / 1024} KiB.`,
        );
      },
    }),
  )
  .use(requireJsonBodies)
  .route("/auth", authRoutes)
  .route("/", healthRoutes)
  .route("/", meRoutes)
  .route("/", generationRoutes)
  .route("/", comparisonRoutes)
  .route("/", groupRoutes)
  .route("/", estimateRoutes)
  .route("/", storyboardRoutes)
  .route("/", versionRoutes)
  .route("/", referenceRoutes)
  .route("/", stitchRoutes)
  .route("/", exportRoutes)
  .route("/", metadataRoutes);

export const app = new Hono<AppEnv>()
  .use(requestId())
  .use(requestLog)
  // Media links (/media/*) carry their own authorization and may carry large uploads, so they sit
  // outside the JSON API's body limit and content-type rule.
  .route("/media", mediaRoutes)
  .route("/api/assets", assetRoutes)
  .route("/api", api);

app.onError(handleError);
app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));

export type AppType = typeof app;
