/**
 * The render container's HTTP service (Hono on @hono/node-server). See `contract.ts` for the wire
 * format. Listens on HOST (default 127.0.0.1) and PORT (default 8788); the Dockerfile sets
 * HOST=0.0.0.0 PORT=8080.
 *
 * It trusts nobody but the Worker: every route needs the shared secret RENDER_SECRET (auth.ts),
 * bodies are JSON or raw bytes only, a job or probe that names a URL is refused before it runs (the
 * Worker stages files instead; only the CLI fetches URLs), staging is capped per file, per job and
 * in files per job, and probes wait for a slot in the job queue like jobs.
 */

import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { requireBodyType, requireSecret, secretFromEnv } from "./auth.ts";
import { type ErrorCode, type JobEvent, ProbeRequestSchema } from "./contract.ts";
import { JobError, toJobError } from "./errors.ts";
import { ffmpegVersion, killAllChildren } from "./ffmpeg.ts";
import { type AnyJob, JobRunner, parseJob } from "./jobs.ts";
import { concurrencyFromEnv } from "./queue.ts";
import {
  existingStagedFile,
  putStagedFile,
  removeStaging,
  type StagingLimits,
  stagingLimitsFromEnv,
} from "./staging.ts";
import { outsideReferences } from "./transfer.ts";

const STATUS: Record<ErrorCode, 400 | 401 | 404 | 409 | 413 | 415 | 422 | 500 | 502 | 504> = {
  invalid_job: 400,
  unauthorized: 401,
  unsupported_media_type: 415,
  too_large: 413,
  too_many_files: 409,
  input_rejected: 422,
  fetch_failed: 502,
  upload_failed: 502,
  ffmpeg_failed: 500,
  cancelled: 409,
  timeout: 504,
  internal: 500,
};

/** How the app is set up: the shared secret, what sources it takes, how much it stages. */
export interface AppOptions {
  /** The shared secret every request must carry (at least 32 characters). */
  secret: string;
  /** `{ path }` sources and outputs are accepted (RENDER_ALLOW_LOCAL_PATHS=1). */
  allowLocal: boolean;
  /** Staging caps; default from the environment (`stagingLimitsFromEnv`). */
  staging?: StagingLimits;
}

/**
 * Refuses (400) a job or probe that names a URL, or a local path where those are not accepted, before
 * anything runs: the container must not fetch or PUT on a caller's say-so.
 */
function refuseOutside(value: unknown, allowLocal: boolean): void {
  const refs = outsideReferences(value, { allowLocal });
  if (refs.length === 0) return;
  const list = refs.map((r) => `${r.at} (${r.kind === "url" ? "a URL" : "a local path"})`).join(", ");
  throw new JobError(
    "invalid_job",
    `only staged files ({ file }) are accepted as sources and outputs here; refused: ${list}`,
  );
}

/** How often a job's stream carries a blank keep-alive line. */
const HEARTBEAT_MS = 10_000;

/**
 * `POST /render` and `POST /synthesize`: validates the body, then streams the job's events as
 * NDJSON, with a blank line every {@link HEARTBEAT_MS} (readers skip blank lines). Closing the
 * response (client disconnect) cancels the job.
 */
function jobStream(runner: JobRunner, kind: AnyJob["kind"], allowLocal: boolean) {
  return async (c: Context) => {
    const body = await c.req.json().catch(() => {
      throw new JobError("invalid_job", "body is not JSON");
    });
    const job = parseJob(kind, body);
    refuseOutside(job.job, allowLocal);
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
        // A blank line now and then while nothing else is said (queued behind another job, a long
        // silent step): the caller tells a quiet job from a hung container by it.
        const heartbeat = setInterval(() => {
          if (disconnect.signal.aborted) return;
          try {
            controller.enqueue(encoder.encode("\n"));
          } catch {
            disconnect.abort();
          }
        }, HEARTBEAT_MS);
        void runner.run(job, emit, disconnect.signal).then((final) => {
          clearInterval(heartbeat);
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

/**
 * Builds the app; `runner` is injectable so tests can share or inspect it. Its `allowLocal` should
 * match `opts.allowLocal`; it must not allow the network.
 */
export function createApp(runner: JobRunner, opts: AppOptions) {
  const staging = opts.staging ?? stagingLimitsFromEnv();
  const app = new Hono()
    // Before any route, and for unknown paths too: no answer, not even a 404, without the secret.
    .use("*", requireSecret(opts.secret))
    .use("*", requireBodyType())
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
    .post("/render", jobStream(runner, "render", opts.allowLocal))
    .post("/synthesize", jobStream(runner, "synthesize", opts.allowLocal))
    .post("/transcode", jobStream(runner, "transcode", opts.allowLocal))
    .post("/probe", async (c) => {
      const parsed = ProbeRequestSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success)
        throw new JobError("invalid_job", parsed.error.issues.map((i) => i.message).join("; "));
      refuseOutside(parsed.data, opts.allowLocal);
      // In the job queue: a burst of probes cannot take more CPU than RENDER_CONCURRENCY jobs.
      const probe = await runner.probe(parsed.data, c.req.raw.signal);
      return c.json({ probe }, 200);
    })
    .put("/jobs/:job_id/files/:name", async (c) => {
      const body = c.req.raw.body;
      if (!body) throw new JobError("invalid_job", "empty upload");
      const length = c.req.header("content-length");
      const size = await putStagedFile(
        c.req.param("job_id"),
        c.req.param("name"),
        body,
        staging,
        length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
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
  // Refuses to start without a proper secret: a container anyone can call runs anyone's ffmpeg.
  const secret = secretFromEnv(env);
  const allowLocal = env.RENDER_ALLOW_LOCAL_PATHS === "1";
  const runner = new JobRunner({ allowLocal, concurrency: concurrencyFromEnv(env) });
  const app = createApp(runner, { secret, allowLocal, staging: stagingLimitsFromEnv(env) });
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
  const { close } = await Promise.resolve()
    .then(() => startServer())
    .catch((err: unknown) => {
      console.error(`[render-container] not starting: ${(err as Error).message}`);
      process.exit(1);
    });
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      console.log(`[render-container] ${sig}: cancelling jobs and closing`);
      void close().then(() => process.exit(0));
    });
  }
}
