/**
 * The render container's HTTP service (Hono on @hono/node-server). See `contract.ts` for the wire
 * format. Listens on HOST (default 127.0.0.1) and PORT (default 8788); the Dockerfile sets
 * HOST=0.0.0.0 PORT=8080.
 */

import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { type ErrorCode, type JobEvent, type ProbeRequest, ProbeRequestSchema } from "./contract.ts";
import { JobError, toJobError } from "./errors.ts";
import { ffmpegVersion, killAllChildren } from "./ffmpeg.ts";
import { type AnyJob, JobRunner, parseJob } from "./jobs.ts";
import { limitsFromEnv, type ProbeLimits, probeFile } from "./probe.ts";
import { existingStagedFile, putStagedFile, removeStaging, stagingDir } from "./staging.ts";
import { resolveSource, transferDefaults } from "./transfer.ts";
import { withWorkDir } from "./workspace.ts";

const STATUS: Record<ErrorCode, 400 | 404 | 409 | 422 | 500 | 502 | 504> = {
  invalid_job: 400,
  input_rejected: 422,
  fetch_failed: 502,
  upload_failed: 502,
  ffmpeg_failed: 500,
  cancelled: 409,
  timeout: 504,
  internal: 500,
};

/** The container's probe limits, made stricter (never looser) by a probe request's own. */
function tightened(base: ProbeLimits, asked: ProbeRequest["limits"]): ProbeLimits {
  const dim = (n: number) => Math.min(n, asked?.max_dimension ?? n);
  return {
    ...base,
    maxDurationS: Math.min(base.maxDurationS, asked?.max_duration_s ?? base.maxDurationS),
    maxWidth: dim(base.maxWidth),
    maxHeight: dim(base.maxHeight),
  };
}

/**
 * `POST /render` and `POST /synthesize`: validates the body, then streams the job's events as
 * NDJSON. Closing the response (client disconnect) cancels the job.
 */
function jobStream(runner: JobRunner, kind: AnyJob["kind"]) {
  return async (c: Context) => {
    const body = await c.req.json().catch(() => {
      throw new JobError("invalid_job", "body is not JSON");
    });
    const job = parseJob(kind, body);
    const disconnect = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => disconnect.abort(), { once: true });
    const encoder = new TextEncoder();
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        const emit = (e: JobEvent) => {
          if (disconnect.signal.aborted) return;
          try {
            controller.enqueue(encoder.encode(`${JSON.stringify(e)}\n`));
          } catch {
            disconnect.abort(); // the stream is gone: treat as a disconnect
          }
        };
        void runner.run(job, emit, disconnect.signal).then((final) => {
          emit(final);
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        });
      },
      cancel() {
        // The client went away: stop the job and its ffmpeg.
        disconnect.abort();
      },
    });
    return new Response(readable, {
      status: 200,
      headers: {
        "content-type": "application/x-ndjson",
        "cache-control": "no-store",
        "x-job-id": job.job.job_id,
      },
    });
  };
}

/** Builds the app; `runner` is injectable so tests can share or inspect it. */
export function createApp(runner: JobRunner, opts: { allowLocal: boolean }) {
  const app = new Hono()
    .get("/health", async (c) =>
      c.json(
        {
          ok: true,
          ffmpeg: await ffmpegVersion(),
          queue: {
            running: runner.queue.running,
            queued: runner.queue.queued,
            concurrency: runner.queue.concurrency,
          },
          jobs_started: runner.started,
        },
        200,
      ),
    )
    .post("/render", jobStream(runner, "render"))
    .post("/synthesize", jobStream(runner, "synthesize"))
    .post("/transcode", jobStream(runner, "transcode"))
    .post("/probe", async (c) => {
      const parsed = ProbeRequestSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success)
        throw new JobError("invalid_job", parsed.error.issues.map((i) => i.message).join("; "));
      const { source, job_id, limits } = parsed.data;
      const probe = await withWorkDir("probe", async (work) => {
        const path = await resolveSource(source, work, "input", {
          allowLocal: opts.allowLocal,
          ...(job_id ? { stagingDir: stagingDir(job_id) } : {}),
        });
        return probeFile(path, { limits: tightened(limitsFromEnv(), limits), streams: true });
      });
      return c.json({ probe }, 200);
    })
    .put("/jobs/:job_id/files/:name", async (c) => {
      const body = c.req.raw.body;
      if (!body) throw new JobError("invalid_job", "empty upload");
      const size = await putStagedFile(
        c.req.param("job_id"),
        c.req.param("name"),
        body,
        transferDefaults().maxBytes,
      );
      return c.json({ stored: c.req.param("name"), size }, 201);
    })
    .get("/jobs/:job_id/files/:name", async (c) => {
      const file = await existingStagedFile(c.req.param("job_id"), c.req.param("name")).catch(() => null);
      if (!file) return c.json({ error: { code: "invalid_job", message: "no such staged file" } }, 404);
      const stream = Readable.toWeb(createReadStream(file.path)) as ReadableStream;
      return new Response(stream, {
        status: 200,
        headers: { "content-type": "application/octet-stream", "content-length": String(file.size) },
      });
    })
    .delete("/jobs/:job_id", async (c) => {
      // Cancels the job if it still runs and frees its staging space; idempotent.
      const id = c.req.param("job_id");
      const cancelled = runner.cancel(id);
      await removeStaging(id);
      return c.json({ job_id: id, cancelled }, 200);
    });
  app.onError((err, c) => {
    const e = toJobError(err);
    if (e.code === "internal") console.error(`[render-container] ${c.req.method} ${c.req.path}:`, err);
    return c.json({ error: { code: e.code, message: e.message } }, STATUS[e.code]);
  });
  return app;
}

/** The app type, for a typed client. */
export type AppType = ReturnType<typeof createApp>;

/** Starts the server; returns a close function that cancels jobs and kills every ffmpeg child. */
export function startServer(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ port: number; close: () => Promise<void> }> {
  const allowLocal = env.RENDER_ALLOW_LOCAL_PATHS === "1";
  const runner = new JobRunner({ allowLocal });
  const app = createApp(runner, { allowLocal });
  const hostname = env.HOST ?? "127.0.0.1";
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: Number(env.PORT ?? 8788), hostname }, (info) => {
      console.log(`[render-container] listening on http://${hostname}:${info.port}`);
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            runner.cancelAll();
            killAllChildren();
            server.close(() => done());
            // Streams of cancelled jobs end on their own; do not wait on idle keep-alive sockets.
            if ("closeAllConnections" in server)
              (server as { closeAllConnections: () => void }).closeAllConnections();
          }),
      });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { close } = await startServer();
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      console.log(`[render-container] ${sig}: cancelling jobs and closing`);
      void close().then(() => process.exit(0));
    });
  }
}
