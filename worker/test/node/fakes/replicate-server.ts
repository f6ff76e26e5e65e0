/**
 * A local server that speaks Replicate's predictions API faithfully enough for the SDK:
 * bearer auth; POST /v1/models/{owner}/{name}/predictions (201); GET /v1/predictions/{id}
 * moving starting -> processing -> succeeded|failed; POST /v1/predictions/{id}/cancel;
 * GET /v1/predictions (newest first, paginated shape); 429 with Retry-After; output files
 * served from /files/ that can "expire" (404) as Replicate's do. Video models output one
 * MP4 URL; the image models (replicate-images.ts) an array of image URLs.
 *
 * Polls can be made to hang (`hangGets`), for the client's timeouts.
 *
 * Control (for tests): POST /__admin/script {models: {[model]: Behaviour}}; GET /__admin/stats;
 * POST /__admin/reset; POST /__admin/chaos {rate, seed} fails that share of API calls at random
 * (chaos.ts: 429, 5xx, or no answer; a create that gets no answer has made its prediction).
 */
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import type { Behaviour } from "../../fake-protocol.ts";
import { type ChaosSettings, chaos } from "./chaos.ts";
import { listen, readJson, sendJson } from "./http-util.ts";
import { IMAGE_MODELS, imageInputError, imageOutput, sendImage } from "./replicate-images.ts";

export const FAKE_REPLICATE_TOKEN = "r8_test_local";

interface Prediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  status: "starting" | "processing" | "succeeded" | "failed" | "canceled";
  created_at: string;
  started_at?: string;
  completed_at?: string;
  output: string | string[] | null;
  error: string | null;
  logs: string;
  urls: { get: string; cancel: string };
  metrics?: { predict_time: number };
  // internal
  willFail: boolean;
  expired: boolean;
  succeedAt: number;
}

/** Replicate's 429, with the Retry-After it sends. */
const throttled = (res: ServerResponse) =>
  sendJson(
    res,
    429,
    { title: "Too Many Requests", detail: "Request was throttled.", status: 429 },
    { "Retry-After": "1" },
  );

export async function startFakeReplicate(clipPath: string) {
  const clip = readFileSync(clipPath);
  let behaviours: Record<string, Behaviour> = {};
  const predictions: Prediction[] = [];
  const stats = {
    createsReceived: 0,
    creates: {} as Record<string, number>,
    gets: 0,
    cancels: 0,
    lists: 0,
    rateLimited: 0,
    hung: 0,
  };
  let base = "";
  const faults = chaos();

  const publicView = (p: Prediction) => {
    const { willFail: _w, expired: _e, succeedAt: _s, ...rest } = p;
    return rest;
  };
  const advance = (p: Prediction) => {
    if (p.status === "starting" || p.status === "processing") {
      if (Date.now() >= p.succeedAt) {
        p.completed_at = new Date().toISOString();
        p.metrics = { predict_time: 1.5 };
        if (p.willFail) Object.assign(p, { status: "failed", error: "CUDA out of memory" });
        else {
          const output = IMAGE_MODELS.has(p.model)
            ? imageOutput(p.model, base, p.id, p.input)
            : `${base}/files/${p.id}.mp4`;
          Object.assign(p, { status: "succeeded", output });
        }
      } else {
        Object.assign(p, { status: "processing", started_at: p.started_at ?? new Date().toISOString() });
      }
    }
  };

  const srv = await listen(async (req, res, url) => {
    const path = url.pathname;
    if (path === "/__admin/script" && req.method === "POST") {
      behaviours = ((await readJson(req)) as { models?: Record<string, Behaviour> }).models ?? {};
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/__admin/chaos" && req.method === "POST") {
      faults.set((await readJson(req)) as ChaosSettings);
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/__admin/stats")
      return sendJson(res, 200, {
        ...stats,
        faults: faults.counts,
        predictions: predictions.map(publicView),
      });
    if (path === "/__admin/reset") {
      behaviours = {};
      faults.set(null);
      predictions.length = 0;
      Object.assign(stats, {
        createsReceived: 0,
        creates: {},
        gets: 0,
        cancels: 0,
        lists: 0,
        rateLimited: 0,
        hung: 0,
      });
      return sendJson(res, 200, { ok: true });
    }
    const file = /^\/files\/([\w-]+)\.mp4$/.exec(path);
    if (file) {
      const p = predictions.find((x) => x.id === file[1]);
      if (!p || p.expired) return sendJson(res, 404, { detail: "Not found" });
      res.writeHead(200, { "Content-Type": "video/mp4", "Content-Length": String(clip.length) });
      return res.end(clip);
    }
    const image = /^\/files\/([\w-]+)-(\d+)\.(jpg|png|webp)$/.exec(path);
    if (image) {
      const p = predictions.find((x) => x.id === image[1]);
      const outputs = [p?.output ?? []].flat();
      if (!p || p.expired || !outputs.includes(`${base}${path}`))
        return sendJson(res, 404, { detail: "Not found" });
      return sendImage(res, image[3]!, p);
    }
    if (req.headers.authorization !== `Bearer ${FAKE_REPLICATE_TOKEN}`) {
      return sendJson(res, 401, {
        title: "Unauthenticated",
        detail: "You did not pass a valid authentication token",
        status: 401,
      });
    }
    const fault = faults.next();
    if (fault === "rate_limited") {
      stats.rateLimited++;
      return throttled(res);
    }
    if (fault === "server_error")
      return sendJson(res, 503, { title: "Service Unavailable", detail: "Try again later", status: 503 });
    const create = /^\/v1\/models\/([\w.-]+)\/([\w.-]+)\/predictions$/.exec(path);
    if (create && req.method === "POST") {
      const model = `${create[1]}/${create[2]}`;
      behaviours[model] ??= {};
      const b = behaviours[model];
      const queued = b.createStatuses?.shift();
      if (queued === 429) {
        stats.rateLimited++;
        return throttled(res);
      }
      if (queued)
        return sendJson(res, queued, {
          title: "Internal Server Error",
          detail: "Something went wrong",
          status: queued,
        });
      const body = (await readJson(req)) as { input?: Record<string, unknown> };
      if (!body.input || typeof body.input.prompt !== "string") {
        return sendJson(res, 422, {
          title: "Input validation failed",
          detail: "prompt is required",
          status: 422,
        });
      }
      const invalid = IMAGE_MODELS.has(model) ? imageInputError(model, body.input) : null;
      if (invalid)
        return sendJson(res, 422, { title: "Input validation failed", detail: invalid, status: 422 });
      stats.createsReceived++;
      const id = `pred${String(predictions.length + 1).padStart(4, "0")}${Math.random().toString(36).slice(2, 8)}`;
      const p: Prediction = {
        id,
        model,
        version: "hidden",
        input: body.input,
        status: "starting",
        created_at: new Date().toISOString(),
        output: null,
        error: null,
        logs: "",
        urls: { get: `${base}/v1/predictions/${id}`, cancel: `${base}/v1/predictions/${id}/cancel` },
        willFail:
          (b.failPredictions ?? 0) > 0 ||
          (!!b.failPromptsContaining && String(body.input.prompt).includes(b.failPromptsContaining)),
        expired: !((b.failPredictions ?? 0) > 0) && (b.expireOutputs ?? 0) > 0,
        succeedAt: Date.now() + (b.succeedAfterMs ?? 300),
      };
      if (p.willFail) b.failPredictions! -= 1;
      else if (p.expired) b.expireOutputs! -= 1;
      predictions.unshift(p);
      stats.creates[model] = (stats.creates[model] ?? 0) + 1;
      if (b.createDelayMs) await new Promise((r) => setTimeout(r, b.createDelayMs));
      // The prediction exists; its answer is lost on the way (the client has to find it).
      if (fault === "no_answer") return;
      return sendJson(res, 201, publicView(p));
    }
    if (fault === "no_answer") return; // the client's timeout has to notice
    if (path === "/v1/predictions" && req.method === "GET") {
      stats.lists++;
      predictions.forEach(advance);
      return sendJson(res, 200, { previous: null, next: null, results: predictions.map(publicView) });
    }
    const one = /^\/v1\/predictions\/([\w-]+)(\/cancel)?$/.exec(path);
    const p = one ? predictions.find((x) => x.id === one[1]) : undefined;
    if (one && !p)
      return sendJson(res, 404, { title: "Not found", detail: "Prediction not found", status: 404 });
    if (p && one?.[2] && req.method === "POST") {
      stats.cancels++;
      if (p.status === "starting" || p.status === "processing")
        Object.assign(p, { status: "canceled", completed_at: new Date().toISOString() });
      return sendJson(res, 200, publicView(p));
    }
    if (p && req.method === "GET") {
      const b = behaviours[p.model];
      if (b?.hangGets) {
        // A poll that never answers: the client's timeout has to notice. Closed when the client goes.
        b.hangGets -= 1;
        stats.hung++;
        return;
      }
      stats.gets++;
      advance(p);
      return sendJson(res, 200, publicView(p));
    }
    sendJson(res, 404, { title: "Not found", status: 404 });
  });
  base = srv.url;
  return srv;
}
