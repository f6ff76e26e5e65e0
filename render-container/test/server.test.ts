import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobEvent, JobEventSchema } from "../src/contract.ts";
import { startServer } from "../src/server.ts";
import { ffmpegChildren, makeClip, tempDir } from "./helpers.ts";

const SECRET = "server-test-secret-0123456789abcdef0123456789";
let dir: string;
let api: { port: number; close: () => Promise<void> };
let base: string;

beforeAll(async () => {
  dir = await tempDir("rc-server");
  await makeClip(join(dir, "a.mp4"), { width: 320, height: 240, fps: 25, duration: 2, audio: true });
  await makeClip(join(dir, "b.mp4"), { width: 240, height: 320, fps: 30, duration: 2 });
  await writeFile(join(dir, "list.m3u8"), "#EXTM3U\n#EXTINF:1,\nhttp://example.com/a.ts\n");
  api = await startServer({ PORT: "0", HOST: "127.0.0.1", RENDER_CONCURRENCY: "1", RENDER_SECRET: SECRET });
  base = `http://127.0.0.1:${api.port}`;
});

afterAll(async () => {
  await api?.close();
});

/** A call as the Worker makes it: the secret, and the body type of the method. */
function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${SECRET}`);
  if (init.method === "POST") headers.set("content-type", "application/json");
  if (init.method === "PUT") headers.set("content-type", "application/octet-stream");
  return fetch(`${base}${path}`, { ...init, headers });
}

const post = (path: string, body: unknown, signal?: AbortSignal) =>
  call(path, { method: "POST", body: JSON.stringify(body), ...(signal ? { signal } : {}) });

/** Stages a test file (from `dir`) into a job's space as `name`. */
async function stage(id: string, name: string, file: string): Promise<Response> {
  return call(`/jobs/${id}/files/${name}`, { method: "PUT", body: await readFile(join(dir, file)) });
}

/** Stages a.mp4 and b.mp4 as the job's two clips. */
async function stageClips(id: string): Promise<void> {
  for (const [i, f] of ["a.mp4", "b.mp4"].entries())
    expect((await stage(id, `clip-${i}.mp4`, f)).status).toBe(201);
}

function renderJob(id: string, opts: { seconds?: number; preset?: string; size?: [number, number] } = {}) {
  const [w, h] = opts.size ?? [180, 320];
  return {
    version: 1,
    job_id: id,
    video: { width: w, height: h, preset: opts.preset ?? "veryfast" },
    scenes: [0, 1].map((i) => ({
      clip: { file: `clip-${i}.mp4` },
      duration_s: opts.seconds ?? 1.5,
      overlay: { text: i ? "Shop now" : "New: 20% off", position: "bottom" },
    })),
    audio: { music: { library: "upbeat" } },
    outputs: { video: { file: "video.mp4" }, thumbnail: { file: "thumbnail.jpg" } },
  };
}

async function* ndjson(res: Response): AsyncGenerator<JobEvent> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      // Blank lines are the stream's keep-alives.
      if (buf.slice(0, nl).trim()) yield JobEventSchema.parse(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
    }
  }
}

async function waitNoFfmpeg(ms: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if ((await ffmpegChildren()).length === 0) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Number.POSITIVE_INFINITY;
}

describe("HTTP service over loopback", () => {
  it("answers /health with the ffmpeg version and the queue", async () => {
    const body = (await (await call("/health")).json()) as {
      ok: boolean;
      ffmpeg: string;
      queue: { queued: number };
    };
    expect(body.ok).toBe(true);
    expect(body.ffmpeg).toMatch(/^\d/);
    expect(body.queue.queued).toBe(0);
  });

  it("renders staged files, streams NDJSON progress and writes the outputs to the staging space", async () => {
    const id = "http-1";
    await stageClips(id);
    const res = await post("/render", renderJob(id));
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const events: JobEvent[] = [];
    for await (const e of ndjson(res)) events.push(e);
    const final = events.at(-1)!;
    expect(final.type).toBe("done");
    const phases = events
      .filter((e) => e.type === "progress")
      .map((e) => (e.type === "progress" ? e.phase : ""));
    expect(phases).toEqual(expect.arrayContaining(["fetching", "probing", "rendering", "uploading"]));
    if (final.type !== "done") return;
    expect(final.outputs.video?.duration_s).toBeCloseTo(2.5, 1);
    const video = await call(`/jobs/${id}/files/video.mp4`);
    expect(Number(video.headers.get("content-length"))).toBe(final.outputs.video?.size_bytes);
    await video.body?.cancel();
    expect((await call(`/jobs/${id}/files/thumbnail.jpg`)).status).toBe(200);
    await call(`/jobs/${id}`, { method: "DELETE" });
  });

  it("rejects an invalid job with 400 and a clear message", async () => {
    const res = await post("/render", { version: 2 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_job");
    expect(body.error.message).toMatch(/version/);
  });

  it("refuses local paths before running, and playlists given as inputs", async () => {
    const job = renderJob("http-local");
    job.scenes[0]!.clip = { path: join(dir, "a.mp4") } as never;
    const res = await post("/render", job);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /scenes\.0\.clip \(a local path\)/,
    );
    const id = "probe-playlist";
    expect((await stage(id, "list.m3u8", "list.m3u8")).status).toBe(201);
    expect((await stage(id, "a.mp4", "a.mp4")).status).toBe(201);
    const probe = await post("/probe", { job_id: id, source: { file: "list.m3u8" } });
    expect(probe.status).toBe(422);
    expect(((await probe.json()) as { error: { message: string } }).error.message).toMatch(
      /HLS playlists are not accepted/,
    );
    const ok = await post("/probe", { job_id: id, source: { file: "a.mp4" } });
    expect(((await ok.json()) as { probe: { video: { width: number } } }).probe.video.width).toBe(320);
    await call(`/jobs/${id}`, { method: "DELETE" });
  });

  it("queues a second job, and DELETE /jobs/:id cancels it", async () => {
    await stageClips("q-1");
    await stageClips("q-2");
    const first = post("/render", renderJob("q-1"));
    await new Promise((r) => setTimeout(r, 100));
    const second = await post("/render", renderJob("q-2"));
    const it2 = ndjson(second);
    const firstEvent = (await it2.next()).value as JobEvent;
    expect(firstEvent).toMatchObject({ type: "progress", phase: "queued" });
    const del = await call("/jobs/q-2", { method: "DELETE" });
    expect(del.status).toBe(200);
    const rest: JobEvent[] = [];
    for await (const e of it2) rest.push(e);
    expect(rest.at(-1)).toMatchObject({ type: "error", code: "cancelled" });
    for await (const e of ndjson(await first)) if (e.type !== "progress") expect(e.type).toBe("done");
    await call("/jobs/q-1", { method: "DELETE" });
  });

  it("cancels the job and kills ffmpeg when the client disconnects", async () => {
    await stageClips("gone");
    const ctl = new AbortController();
    const res = await post(
      "/render",
      renderJob("gone", { seconds: 20, preset: "slow", size: [720, 1280] }),
      ctl.signal,
    );
    const events = ndjson(res);
    for (;;) {
      const e = (await events.next()).value as JobEvent;
      if (e.type === "progress" && e.phase === "rendering" && e.percent > 21) break;
    }
    expect((await ffmpegChildren()).length).toBeGreaterThan(0);
    ctl.abort();
    expect(await waitNoFfmpeg(2000)).toBeLessThan(2000);
    const health = (await (await call("/health")).json()) as { queue: { running: number } };
    expect(health.queue.running).toBe(0);
    await call("/jobs/gone", { method: "DELETE" });
  });

  it("renders from staged files: upload inputs, run, read outputs back, free the space", async () => {
    const { existsSync } = await import("node:fs");
    const { stagingDir } = await import("../src/staging.ts");
    const id = "staged-1";
    for (const [name, src] of [
      ["clip-0.mp4", "a.mp4"],
      ["clip-1.mp4", "b.mp4"],
    ] as const) {
      const bytes = await readFile(join(dir, src));
      const put = await stage(id, name, src);
      expect(put.status).toBe(201);
      expect(await put.json()).toEqual({ stored: name, size: bytes.length });
    }
    const job = {
      ...renderJob(id),
      scenes: [0, 1].map((i) => ({ clip: { file: `clip-${i}.mp4` }, duration_s: 1.5 })),
    };
    const res = await post("/render", job);
    const events: JobEvent[] = [];
    for await (const e of ndjson(res)) events.push(e);
    expect(events.at(-1)).toMatchObject({
      type: "done",
      outputs: { video: { video: { width: 180, height: 320 } } },
    });
    const video = await call(`/jobs/${id}/files/video.mp4`);
    expect(video.status).toBe(200);
    const bytes = new Uint8Array(await video.arrayBuffer());
    expect(Number(video.headers.get("content-length"))).toBe(bytes.length);
    expect(String.fromCharCode(...bytes.slice(4, 8))).toBe("ftyp");
    expect((await call(`/jobs/${id}/files/thumbnail.jpg`)).status).toBe(200);
    const del = await call(`/jobs/${id}`, { method: "DELETE" });
    expect(await del.json()).toEqual({ job_id: id, cancelled: false });
    expect(existsSync(stagingDir(id))).toBe(false);
    expect((await call(`/jobs/${id}/files/video.mp4`)).status).toBe(404);
  });

  it("synthesises a clip and its still into the staging space, and refuses a job with no output", async () => {
    const id = "synth-staged-1";
    const job = (output: unknown, extra: Record<string, unknown> = {}) => ({
      version: 1,
      job_id: id,
      width: 180,
      height: 320,
      duration_s: 1,
      scene: { index: 0, type: "action", text: "Shop now" },
      brand: { name: "Kettle", colours: ["#e4572e"], mood: "upbeat" },
      output,
      ...extra,
    });
    const events: JobEvent[] = [];
    const staged = job({ video: { file: "clip.mp4" }, still: { file: "still.jpg" } }, { still_at_s: 0.5 });
    for await (const e of ndjson(await post("/synthesize", staged))) events.push(e);
    expect(events.at(-1)).toMatchObject({
      type: "done",
      outputs: {
        video: { video: { codec: "h264", width: 180, height: 320 } },
        still: { video: { codec: "mjpeg", width: 180, height: 320 } },
      },
    });
    const still = await call(`/jobs/${id}/files/still.jpg`);
    const bytes = new Uint8Array(await still.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    expect((await call(`/jobs/${id}/files/clip.mp4`)).status).toBe(200);
    await call(`/jobs/${id}`, { method: "DELETE" });
    for (const [bad, message] of [
      [job({}), /output: ask for a video, a still or both/],
      [job({ still: { file: "s.jpg" } }, { still_at_s: 1 }), /still_at_s must be less than duration_s/],
    ] as const) {
      const res = await post("/synthesize", bad);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({ code: "invalid_job", message: expect.stringMatching(message) });
    }
  });

  it("refuses staged names that could escape the job's space, and missing staged inputs", async () => {
    const bad = await call("/jobs/x/files/..%2Fetc", { method: "PUT", body: "x" });
    expect(bad.status).toBe(400);
    const missing = {
      ...renderJob("staged-missing"),
      scenes: [{ clip: { file: "nope.mp4" }, duration_s: 1 }],
    };
    const res = await post("/render", missing);
    const events: JobEvent[] = [];
    for await (const e of ndjson(res)) events.push(e);
    expect(events.at(-1)).toMatchObject({
      type: "error",
      code: "input_rejected",
      message: expect.stringContaining("nope.mp4"),
    });
  });

  it("probes a staged file of a job, lists its streams, and applies a request's stricter limits", async () => {
    const id = "probe-staged";
    const put = await stage(id, "upload", "a.mp4");
    expect(put.status).toBe(201);
    const probe = (limits?: object) =>
      post("/probe", { job_id: id, source: { file: "upload" }, ...(limits ? { limits } : {}) });
    const ok = (await (await probe()).json()) as { probe: { streams: unknown[]; duration_s: number } };
    expect(ok.probe.streams).toEqual([
      { type: "video", codec: "h264", attached_pic: false },
      { type: "audio", codec: "aac", attached_pic: false },
    ]);
    const strict = await probe({ max_duration_s: 1, max_dimension: 4096 });
    expect(strict.status).toBe(422);
    expect(((await strict.json()) as { error: { message: string } }).error.message).toMatch(
      /exceeds the limit of 1\.0 s/,
    );
    // A looser limit than the container's own changes nothing.
    const loose = await probe({ max_dimension: 100_000 });
    expect(loose.status).toBe(200);
    const small = await probe({ max_dimension: 100 });
    expect(((await small.json()) as { error: { message: string } }).error.message).toMatch(
      /dimensions 320x240 exceed the limit of 100x100/,
    );
    // Without the job id a staged name means nothing.
    const nojob = await post("/probe", { source: { file: "upload" } });
    expect(nojob.status).toBe(400);
    await call(`/jobs/${id}`, { method: "DELETE" });
  });
});
