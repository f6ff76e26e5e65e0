/**
 * The container's door (issue 16, defect 2): every probe of the report, against the real app. No
 * secret or a wrong one is 401 on every route; a body that is not JSON is 415; a job or probe that
 * names a URL is refused before it runs and a local HTTP server standing in for 169.254.169.254 or
 * a loopback port sees no request at all; staging is capped in size and count and a refused upload
 * leaves nothing on disk; job ids cannot leave the staging root; a probe waits in the job queue.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRunner, parseJob } from "../src/jobs.ts";
import { createApp, startServer } from "../src/server.ts";
import { stagingDir, stagingRoot } from "../src/staging.ts";
import { resolveSource } from "../src/transfer.ts";
import { makeClip, tempDir } from "./helpers.ts";

const SECRET = "security-test-secret-0123456789abcdef0123";
const LIMITS = { maxFileBytes: 1000, maxJobBytes: 2500, maxFiles: 3 };

let dir: string;
let clip: string;
/** Stands in for the metadata service, a loopback port and an upload target: it must see nothing. */
let bait: Server;
let baitUrl: string;
const baitRequests: string[] = [];
let runner: JobRunner;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  dir = await tempDir("rc-security");
  process.env.RENDER_STAGING_DIR = join(dir, "staging");
  clip = await makeClip(join(dir, "clip.mp4"), { width: 160, height: 120, fps: 10, duration: 1 });
  bait = createServer((req: IncomingMessage, res) => {
    baitRequests.push(`${req.method} ${req.url}`);
    res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
  });
  await new Promise<void>((r) => bait.listen(0, "127.0.0.1", r));
  baitUrl = `http://127.0.0.1:${(bait.address() as { port: number }).port}`;
  runner = new JobRunner({ allowLocal: false, concurrency: 1 });
  app = createApp(runner, { secret: SECRET, allowLocal: false, staging: LIMITS });
});

afterAll(() => {
  bait?.close();
});

type Init = RequestInit & { duplex?: "half" };

/** A request to the app in-process, with the secret and the method's body type unless `init` says. */
async function call(path: string, init: Init = {}, auth: string | null = `Bearer ${SECRET}`) {
  const headers = new Headers(init.headers);
  if (auth !== null && !headers.has("authorization")) headers.set("authorization", auth);
  if (init.method === "POST" && !headers.has("content-type")) headers.set("content-type", "application/json");
  if (init.method === "PUT" && !headers.has("content-type"))
    headers.set("content-type", "application/octet-stream");
  return app.request(path, { ...init, headers });
}

const post = (path: string, body: unknown) => call(path, { method: "POST", body: JSON.stringify(body) });

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** A valid render job; `patch` swaps in the source or output under test. */
function renderJob(id: string, patch: { clip?: unknown; video?: unknown } = {}) {
  return {
    version: 1,
    job_id: id,
    video: { width: 180, height: 320, preset: "ultrafast" },
    scenes: [{ clip: patch.clip ?? { file: "clip-0.mp4" }, duration_s: 1 }],
    outputs: { video: patch.video ?? { file: "video.mp4" } },
  };
}

const bytes = (n: number) => new Uint8Array(n).fill(7);

describe("the shared secret", () => {
  it("refuses to start without a RENDER_SECRET of at least 32 characters", async () => {
    const env = { PORT: "0", HOST: "127.0.0.1" };
    await expect(async () => startServer(env)).rejects.toThrow(/RENDER_SECRET must be set/);
    await expect(async () => startServer({ ...env, RENDER_SECRET: "x".repeat(31) })).rejects.toThrow(
      /at least 32 characters/,
    );
    expect(() => createApp(runner, { secret: "short", allowLocal: false })).toThrow(/at least 32/);
  });

  it("answers 401 on every route, unknown ones included, without the secret or with a wrong one", async () => {
    const routes: [string, Init][] = [
      ["/health", {}],
      ["/render", { method: "POST", body: JSON.stringify(renderJob("a1")) }],
      ["/synthesize", { method: "POST", body: "{}" }],
      ["/transcode", { method: "POST", body: "{}" }],
      ["/probe", { method: "POST", body: JSON.stringify({ source: { url: `${baitUrl}/x` } }) }],
      ["/jobs/a1/files/upload", { method: "PUT", body: bytes(10) }],
      ["/jobs/a1/files/upload", {}],
      ["/jobs/a1", { method: "DELETE" }],
      ["/no-such-route", {}],
    ];
    const wrong = [
      null, // no header
      `Bearer ${SECRET.slice(0, -1)}X`, // same length, last character off
      `Bearer ${SECRET}x`, // longer
      `Bearer ${SECRET.slice(0, 8)}`, // a prefix
      `Basic ${btoa(`render:${SECRET}`)}`, // the right secret in another scheme
      SECRET, // no scheme
    ];
    for (const [path, init] of routes) {
      for (const auth of wrong) {
        const res = await call(path, init, auth);
        expect(res.status, `${init.method ?? "GET"} ${path} with ${auth}`).toBe(401);
        expect(await errorOf(res)).toMatchObject({ code: "unauthorized" });
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      }
    }
    // Nothing reached a handler: no staging space, no job, no request out.
    expect(existsSync(join(stagingRoot(), "a1"))).toBe(false);
    expect(runner.started).toEqual({ render: 0, synthesize: 0, transcode: 0 });
    expect(baitRequests).toEqual([]);
    // The right secret opens the door.
    expect((await call("/health")).status).toBe(200);
  });

  it("refuses an unauthenticated request over real HTTP too", async () => {
    const server = await startServer({ PORT: "0", HOST: "127.0.0.1", RENDER_SECRET: SECRET });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/health`)).status).toBe(401);
      const put = await fetch(`${base}/jobs/over-http/files/upload`, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: bytes(10),
      });
      expect(put.status).toBe(401);
      expect(existsSync(join(stagingRoot(), "over-http"))).toBe(false);
      const ok = await fetch(`${base}/health`, { headers: { authorization: `Bearer ${SECRET}` } });
      expect(ok.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("bodies", () => {
  it("refuses a job or probe sent as text/plain (or untyped) with 415, parsing nothing", async () => {
    const json = JSON.stringify({ ...renderJob("typed"), source: { url: `${baitUrl}/p` } });
    for (const path of ["/render", "/synthesize", "/transcode", "/probe"]) {
      for (const type of [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        null,
      ]) {
        const headers = new Headers({ authorization: `Bearer ${SECRET}` });
        if (type) headers.set("content-type", type);
        // Bytes, not a string: a string body would be typed text/plain by Request itself.
        const body = new TextEncoder().encode(json);
        const res = await app.request(path, { method: "POST", headers, body });
        expect(res.status, `${path} as ${type ?? "(no type)"}`).toBe(415);
        expect(await errorOf(res)).toMatchObject({ code: "unsupported_media_type" });
      }
    }
    // JSON with parameters is still JSON (then refused for what it says, not for its type).
    const typed = await call("/probe", {
      method: "POST",
      headers: { "content-type": "Application/JSON; charset=utf-8" },
      body: "{}",
    });
    expect(typed.status).toBe(400);
    expect(baitRequests).toEqual([]);
  });

  it("refuses a staged file sent as anything but application/octet-stream, writing nothing", async () => {
    const res = await call("/jobs/typed-put/files/upload", {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(res.status).toBe(415);
    expect(existsSync(join(stagingRoot(), "typed-put"))).toBe(false);
  });
});

describe("no network on a caller's say-so", () => {
  it("refuses jobs with a URL source or a URL output before running, and nothing is fetched", async () => {
    const cases: [string, string, unknown][] = [
      ["/render", "scenes.0.clip", renderJob("u1", { clip: { url: `${baitUrl}/clip.mp4` } })],
      [
        "/render",
        "scenes.0.clip",
        renderJob("u2", { clip: { url: "http://169.254.169.254/latest/meta-data/iam/" } }),
      ],
      [
        "/render",
        "outputs.video",
        renderJob("u3", { video: { url: `${baitUrl}/out.mp4`, headers: { authorization: "x" } } }),
      ],
      [
        "/synthesize",
        "image",
        {
          version: 1,
          job_id: "u4",
          width: 180,
          height: 320,
          duration_s: 1,
          scene: { index: 0, type: "action", text: "Shop now" },
          brand: { name: "Kettle", colours: ["#e4572e"], mood: "upbeat" },
          image: { url: `${baitUrl}/image.png` },
          output: { video: { file: "clip.mp4" } },
        },
      ],
      [
        "/transcode",
        "source",
        {
          version: 1,
          job_id: "u5",
          source: { url: `${baitUrl}/master.mp4` },
          output: { url: `${baitUrl}/export.mp4` },
        },
      ],
    ];
    for (const [path, at, job] of cases) {
      const res = await post(path, job);
      const error = await errorOf(res);
      expect(res.status, `${path} ${JSON.stringify(error)}`).toBe(400);
      expect(error.code).toBe("invalid_job");
      expect(error.message).toContain(`${at} (a URL)`);
    }
    expect(runner.started).toEqual({ render: 0, synthesize: 0, transcode: 0 });
    expect(baitRequests).toEqual([]);
  });

  it("refuses /probe of a URL (metadata service, loopback port) without a request", async () => {
    for (const url of [
      `${baitUrl}/probe-me`,
      "http://169.254.169.254/latest/meta-data/",
      "http://127.0.0.1:8787/",
    ]) {
      const res = await post("/probe", { source: { url } });
      expect(res.status, url).toBe(400);
      expect((await errorOf(res)).message).toContain("source (a URL)");
    }
    expect(baitRequests).toEqual([]);
  });

  it("refuses URLs in the runner too (defence in depth), and only the CLI's runner fetches", async () => {
    // Past the door check, the transfers themselves refuse: a runner as the server builds it.
    const events: unknown[] = [];
    const final = await runner.run(
      parseJob("render", renderJob("deep", { clip: { url: `${baitUrl}/clip.mp4` } })),
      (e) => events.push(e),
    );
    expect(final).toMatchObject({ type: "error", code: "input_rejected", message: /URL sources/ });
    await expect(runner.probe({ source: { url: `${baitUrl}/p.mp4` } })).rejects.toMatchObject({
      code: "input_rejected",
    });
    expect(baitRequests).toEqual([]);
    // The CLI's runner allows the network: there a URL source is still downloaded.
    const direct = createServer((_req, res) => res.writeHead(200).end("bytes"));
    await new Promise<void>((r) => direct.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(direct.address() as { port: number }).port}/file`;
      const path = await resolveSource({ url }, dir, "downloaded", { allowLocal: true, allowNetwork: true });
      expect(await readFile(path, "utf8")).toBe("bytes");
    } finally {
      direct.close();
    }
  });
});

describe("staging caps", () => {
  it("refuses a file over the size cap with 413, from its Content-Length or its stream, leaving nothing", async () => {
    const declared = await call("/jobs/big-1/files/upload", {
      method: "PUT",
      headers: { "content-length": "1001" },
      body: bytes(1001),
    });
    expect(declared.status).toBe(413);
    expect(await errorOf(declared)).toMatchObject({ code: "too_large" });
    expect(existsSync(join(stagingRoot(), "big-1"))).toBe(false);

    // No Content-Length: the cap stops the stream.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(bytes(400));
        c.close();
      },
    });
    const streamed = await call("/jobs/big-2/files/upload", { method: "PUT", body: stream, duplex: "half" });
    expect(streamed.status).toBe(413);
    expect(existsSync(join(stagingRoot(), "big-2"))).toBe(false);

    // A file at the cap is fine.
    const exact = await call("/jobs/big-3/files/upload", { method: "PUT", body: bytes(1000) });
    expect(exact.status).toBe(201);
    await call("/jobs/big-3", { method: "DELETE" });
  });

  it("holds a job to its byte and file caps, keeping what was staged before", async () => {
    const id = "capped";
    for (const name of ["a", "b"])
      expect((await call(`/jobs/${id}/files/${name}`, { method: "PUT", body: bytes(1000) })).status).toBe(
        201,
      );
    // 2000 staged, 600 more would pass the job's 2500.
    const over = await call(`/jobs/${id}/files/c`, { method: "PUT", body: bytes(600) });
    expect(over.status).toBe(413);
    expect((await readdir(stagingDir(id))).sort()).toEqual(["a", "b"]);
    expect((await call(`/jobs/${id}/files/c`, { method: "PUT", body: bytes(400) })).status).toBe(201);
    // Three files: a fourth is refused, whatever its size; replacing one is not a new file.
    const fourth = await call(`/jobs/${id}/files/d`, { method: "PUT", body: bytes(1) });
    expect(fourth.status).toBe(409);
    expect(await errorOf(fourth)).toMatchObject({ code: "too_many_files" });
    expect((await call(`/jobs/${id}/files/a`, { method: "PUT", body: bytes(10) })).status).toBe(201);
    expect((await readdir(stagingDir(id))).sort()).toEqual(["a", "b", "c"]);
    // Parallel uploads cannot slip past the count together.
    await call(`/jobs/${id}`, { method: "DELETE" });
    const parallel = await Promise.all(
      ["p1", "p2", "p3", "p4", "p5"].map((n) =>
        call(`/jobs/${id}/files/${n}`, { method: "PUT", body: bytes(5) }),
      ),
    );
    expect(parallel.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409]);
    expect(await readdir(stagingDir(id))).toHaveLength(3);
    await call(`/jobs/${id}`, { method: "DELETE" });
  });

  it("refuses job ids that would leave the staging root ('..' and friends)", async () => {
    // Something staged, so the root exists and its survival means something.
    expect((await call("/jobs/keep/files/kept", { method: "PUT", body: bytes(3) })).status).toBe(201);
    const root = stagingRoot();
    await writeFile(join(dirname(root), "canary"), "still here");
    // In a path, dot segments are resolved away by the URL itself (then no route matches) or
    // reach the id check: either way a refusal, nothing written, nothing deleted.
    for (const id of ["%2E%2E", "..", ".", "%2E", "..%2F..", "..%2Fcanary-dir", "a%2F..%2F.."]) {
      for (const [method, path] of [
        ["PUT", `/jobs/${id}/files/escaped`],
        ["GET", `/jobs/${id}/files/canary`],
        ["DELETE", `/jobs/${id}`],
      ] as const) {
        const init: Init = method === "PUT" ? { method, body: bytes(3) } : { method };
        const res = await call(path, init);
        expect([400, 404], `${method} ${path}`).toContain(res.status);
      }
    }
    expect(existsSync(join(dirname(root), "escaped"))).toBe(false);
    expect(await readFile(join(dirname(root), "canary"), "utf8")).toBe("still here");
    expect(await readdir(join(root, "keep"))).toEqual(["kept"]);
    // In a body, ".." arrives as such: the contract refuses it.
    for (const [path, body] of [
      ["/render", renderJob("..")],
      ["/probe", { job_id: "..", source: { file: "canary" } }],
    ] as const) {
      const res = await post(path, body);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).message).toMatch(/job_id may not be only dots/);
    }
    await call("/jobs/keep", { method: "DELETE" });
  });
});

describe("/probe in the job queue", () => {
  it("waits behind a running job and runs when its slot frees, never above the concurrency", async () => {
    const id = "probe-queued";
    // The clip is over this file's tiny staging caps: the same runner behind the default caps.
    const roomy = createApp(runner, { secret: SECRET, allowLocal: false });
    const put = await roomy.request(`/jobs/${id}/files/clip.mp4`, {
      method: "PUT",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/octet-stream" },
      body: await readFile(clip),
    });
    expect(put.status).toBe(201);
    let release!: () => void;
    const running = runner.queue.run(() => new Promise<void>((r) => (release = r)));
    expect(runner.queue.running).toBe(1);
    let answered = false;
    const probe = Promise.resolve(post("/probe", { job_id: id, source: { file: "clip.mp4" } })).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(answered).toBe(false);
    expect(runner.queue.queued).toBe(1);
    expect(runner.queue.running).toBe(1);
    // The pool reads this: the waiting probe counts as load.
    const health = (await (await call("/health")).json()) as { queue: { running: number; queued: number } };
    expect(health.queue).toMatchObject({ running: 1, queued: 1 });
    release();
    await running;
    const res = await probe;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { probe: { video: { width: number } } }).probe.video.width).toBe(160);
    expect(runner.queue.running).toBe(0);
    expect(runner.queue.queued).toBe(0);
    await call(`/jobs/${id}`, { method: "DELETE" });
  });
});
