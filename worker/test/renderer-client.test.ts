/**
 * The render client over a pool of instances (RENDER_URL with three origins): each job's staging,
 * run, read-back and release reach the one instance it was pinned to. The instances are outside
 * the Worker, so here they are answered by a stand-in for `fetch` that logs who got what.
 */
import { env } from "cloudflare:test";
import type { SynthesizeJobInput } from "@promptreel/render-container/contract";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readFile, releaseJob, rendererPool, runJob, stageFile } from "../src/render/client.ts";

const HOSTS = ["render-a.test", "render-b.test", "render-c.test"];

function fakeInstances() {
  const calls: { host: string; method: string; path: string }[] = [];
  /** The Authorization header of every request, health checks included. */
  const auth: string[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init as RequestInit);
    const url = new URL(req.url);
    auth.push(req.headers.get("authorization") ?? "(none)");
    if (url.pathname === "/health")
      return Response.json({ ok: true, queue: { running: 0, queued: 0, concurrency: 1 } });
    calls.push({ host: url.hostname, method: req.method, path: url.pathname });
    if (req.method === "POST") {
      const { job_id } = (await req.json()) as { job_id: string };
      return new Response(`${JSON.stringify({ type: "done", job_id, outputs: {}, wall_s: 0.1 })}\n`);
    }
    return new Response(req.method === "GET" ? "bytes" : null, { status: 200 });
  });
  return Object.assign(calls, { auth });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("render client over a pool", () => {
  it("keeps each job's staging, run, read-back and release on one instance", async () => {
    const calls = fakeInstances();
    const poolEnv = { ...env, RENDER_URL: HOSTS.map((h) => `http://${h}`).join(",") };
    const job = (id: string) => ({ job_id: id }) as unknown as SynthesizeJobInput;
    // Two jobs interleaved, step by step, as two scenes' clips are.
    await stageFile(poolEnv, "job-1", "reference", new ArrayBuffer(4), 4);
    await stageFile(poolEnv, "job-2", "reference", new ArrayBuffer(4), 4);
    await runJob(poolEnv, "synthesize", job("job-1"));
    await runJob(poolEnv, "synthesize", job("job-2"));
    await (await readFile(poolEnv, "job-2", "clip.mp4")).text();
    await (await readFile(poolEnv, "job-1", "clip.mp4")).text();
    await releaseJob(poolEnv, "job-1");
    await releaseJob(poolEnv, "job-2");
    const steps = (id: string) =>
      calls.filter((c) => c.path.includes(`/jobs/${id}`)).map((c) => `${c.host} ${c.method}`);
    const [one, two] = [steps("job-1"), steps("job-2")];
    expect(one).toHaveLength(3); // PUT, GET, DELETE
    expect(new Set(one.map((s) => s.split(" ")[0])).size).toBe(1);
    expect(new Set(two.map((s) => s.split(" ")[0])).size).toBe(1);
    // Each instance reports one slot, so the second job went to another instance.
    expect(one[0]!.split(" ")[0]).not.toBe(two[0]!.split(" ")[0]);
    // The runs went where the files were.
    const runs = calls.filter((c) => c.path === "/synthesize").map((c) => c.host);
    expect(runs).toEqual([one[0]!.split(" ")[0], two[0]!.split(" ")[0]]);
    expect(Object.values(rendererPool(poolEnv).pinnedCounts())).toEqual([0, 0, 0]);
    // Every call, health checks included, carried the shared secret.
    expect(env.RENDER_SECRET?.length).toBeGreaterThanOrEqual(32);
    expect(calls.auth.length).toBeGreaterThan(calls.length);
    expect(new Set(calls.auth)).toEqual(new Set([`Bearer ${env.RENDER_SECRET}`]));
  });

  it("refuses to call a render container without RENDER_SECRET", () => {
    const calls = fakeInstances();
    const noSecret = { ...env, RENDER_URL: "http://render-nosecret.test", RENDER_SECRET: undefined };
    expect(() => rendererPool(noSecret)).toThrow(/RENDER_SECRET is not set/);
    expect(calls.auth).toEqual([]);
  });

  it("gives up on a render container that stops answering, with a reason, within its deadlines", async () => {
    // An instance that takes every request and never answers (but lets go when the caller does).
    const seen: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const req = new Request(input as RequestInfo, init as RequestInit);
      const url = new URL(req.url);
      if (url.pathname === "/health")
        return Promise.resolve(Response.json({ ok: true, queue: { running: 0, queued: 0, concurrency: 1 } }));
      seen.push(`${req.method} ${url.pathname}`);
      return new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    });
    const hung = { ...env, RENDER_URL: "http://render-hung.test" };
    const job = { job_id: "hung-1", timeout_s: 60 } as unknown as SynthesizeJobInput;
    const timed = async (f: () => Promise<unknown>) => {
      const started = Date.now();
      const error = await f().then(
        () => null,
        (e: unknown) => e,
      );
      return { error: error as { code?: string; message?: string } | null, ms: Date.now() - started };
    };
    // Staging, a run that never says a word, a read-back: each ends in a timeout with its reason.
    const staged = await timed(() =>
      stageFile(hung, "hung-1", "reference", new ArrayBuffer(4), 4, { timeoutMs: 300 }),
    );
    expect(staged.error).toMatchObject({
      code: "timeout",
      message: expect.stringMatching(/staging reference/),
    });
    const ran = await timed(() => runJob(hung, "synthesize", job, { stallMs: 300 }));
    expect(ran.error).toMatchObject({ code: "timeout", message: expect.stringMatching(/synthesize/) });
    const read = await timed(() => readFile(hung, "hung-1", "clip.mp4", { timeoutMs: 300 }));
    expect(read.error).toMatchObject({ code: "timeout" });
    // A release (what a cancel sends) gives up too, and does not throw.
    const released = await timed(() => releaseJob(hung, "hung-1", { timeoutMs: 300 }));
    expect(released.error).toBeNull();
    for (const t of [staged, ran, read, released]) expect(t.ms).toBeLessThan(5_000);
    expect(seen).toEqual([
      "PUT /jobs/hung-1/files/reference",
      "POST /synthesize",
      "GET /jobs/hung-1/files/clip.mp4",
      "DELETE /jobs/hung-1",
    ]);
    // The job's own signal still ends it at once, as a cancel does.
    const cancel = new AbortController();
    const cancelled = runJob(hung, "synthesize", { ...job, job_id: "hung-2" }, { signal: cancel.signal });
    cancel.abort(new Error("Cancelled by user"));
    await expect(cancelled).rejects.toThrow("Cancelled by user");
    await releaseJob(hung, "hung-2", { timeoutMs: 100 });
  });

  it("starts a staging deadline once the job has its slot: a wait in line longer than it is no failure", async () => {
    const calls = fakeInstances(); // one slot per instance
    const one = { ...env, RENDER_URL: "http://render-line.test" };
    await stageFile(one, "line-1", "reference", new ArrayBuffer(4), 4);
    // line-2 waits for line-1's slot three times longer than its staging may take.
    const started = Date.now();
    const second = stageFile(one, "line-2", "reference", new ArrayBuffer(4), 4, { timeoutMs: 300 });
    await new Promise((r) => setTimeout(r, 900));
    expect(rendererPool(one).waiting).toBe(1);
    await releaseJob(one, "line-1");
    await second;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(calls.filter((c) => c.method === "PUT").map((c) => c.path)).toEqual([
      "/jobs/line-1/files/reference",
      "/jobs/line-2/files/reference",
    ]);
    await releaseJob(one, "line-2");
  });

  it("releases a job it has no pin for (an earlier isolate's) on every running instance", async () => {
    const calls = fakeInstances();
    const poolEnv = { ...env, RENDER_URL: HOSTS.map((h) => `http://${h}`).join(",") };
    await releaseJob(poolEnv, "job-from-before");
    expect(calls.map((c) => `${c.method} ${c.host} ${c.path}`).sort()).toEqual(
      HOSTS.map((h) => `DELETE ${h} /jobs/job-from-before`),
    );
  });
});
