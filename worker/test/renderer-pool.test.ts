/**
 * The renderer pool's routing and backpressure against fake render instances of configurable
 * latency (the instances are what lies outside the Worker). A fake accepts every job it is sent and
 * counts how many run at once, so a pool that over-admits shows up as `maxRunning` above the
 * concurrency the instance reports on /health.
 */
import { describe, expect, it } from "vitest";
import { type PoolMember, RendererPool } from "../src/render/pool.ts";

interface FakeInstance extends PoolMember {
  warm: boolean;
  killed: boolean;
  running: number;
  maxRunning: number;
  started: string[];
  /** Dies when it starts this many jobs: its running jobs' connections drop. */
  killAfter?: number;
}

const lost = () => new TypeError("Network connection lost.");

function fakeInstance(
  name: string,
  opts: { concurrency: number; latencyMs: number; warm?: boolean; log?: string[] },
) {
  const inflight = new Set<(e: Error) => void>();
  const inst: FakeInstance = {
    name,
    warm: opts.warm ?? true,
    killed: false,
    running: 0,
    maxRunning: 0,
    started: [],
    async isWarm() {
      return inst.warm && !inst.killed;
    },
    async fetch(path, init) {
      if (inst.killed) throw lost();
      inst.warm = true; // a request starts a cold instance
      if (path === "/health")
        return Response.json({
          ok: true,
          queue: { running: inst.running, queued: 0, concurrency: opts.concurrency },
        });
      const job = String(init?.body);
      inst.running++;
      inst.maxRunning = Math.max(inst.maxRunning, inst.running);
      inst.started.push(job);
      opts.log?.push(job);
      try {
        if (inst.killAfter !== undefined && inst.started.length >= inst.killAfter) {
          inst.killed = true;
          for (const fail of inflight) fail(lost());
          throw lost();
        }
        await new Promise<void>((resolve, reject) => {
          const fail = (e: Error) => reject(e);
          inflight.add(fail);
          setTimeout(() => {
            inflight.delete(fail);
            resolve();
          }, opts.latencyMs);
        });
        return new Response(`${job} on ${name}`);
      } finally {
        inst.running--;
      }
    },
  };
  return inst;
}

/** One job's life as render/client.ts drives it: pinned on its first call, sent, unpinned at release. */
async function runJob(pool: RendererPool, jobId: string): Promise<string> {
  try {
    const member = await pool.memberFor(jobId);
    const res = await pool.send(member, "/render", { method: "POST", body: jobId });
    return await res.text();
  } finally {
    pool.unpin(jobId);
  }
}

describe("renderer pool", () => {
  it("spreads 200 concurrent jobs over 5 instances: none above its concurrency, none lost, in order", async () => {
    const log: string[] = [];
    const instances = Array.from({ length: 5 }, (_, i) =>
      fakeInstance(`r${i}`, { concurrency: 2, latencyMs: 3 + i, log }),
    );
    const pool = new RendererPool(instances, { healthTtlMs: 0 });
    const ids = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    const published = await Promise.all(ids.map((id) => runJob(pool, id)));
    // Every job ran exactly once.
    expect(published.map((p) => p.split(" ")[0]).sort()).toEqual([...ids].sort());
    expect(log).toHaveLength(200);
    for (const inst of instances) {
      expect(inst.maxRunning).toBeLessThanOrEqual(2);
      // Every instance did its share (faster ones more).
      expect(inst.started.length).toBeGreaterThan(20);
    }
    // Backpressure: jobs waited in the pool's line, and were let in first come, first served.
    expect(log).toEqual(ids);
    expect(pool.pinnedCounts()).toEqual({ r0: 0, r1: 0, r2: 0, r3: 0, r4: 0 });
    expect(pool.waiting).toBe(0);
  });

  it("spreads five variations' composes over five instances, side by side: five ads cost about one", async () => {
    // The model of issue 15's "five instances" case: the variations share their clips (made once),
    // so what is left per variation is its compose. One slot per instance, as a 2-vCPU box has.
    const latencyMs = 300;
    const instances = Array.from({ length: 5 }, (_, i) =>
      fakeInstance(`r${i}`, { concurrency: 1, latencyMs }),
    );
    const pool = new RendererPool(instances, { healthTtlMs: 0 });
    const starts: number[] = [];
    const ends: number[] = [];
    await Promise.all(
      ["warm", "cool", "cinematic", "vivid", "none"].map(async (grade) => {
        const member = await pool.memberFor(`compose-${grade}`);
        starts.push(performance.now());
        try {
          await pool.send(member, "/render", { method: "POST", body: grade });
        } finally {
          ends.push(performance.now());
          pool.unpin(`compose-${grade}`);
        }
      }),
    );
    // Each instance ran exactly one compose, and all five were running before the first ended:
    // the five composes take one compose's time, not five (modelled ratio 1.0, the issue asks <= 1.3).
    expect(instances.map((inst) => inst.started.length)).toEqual([1, 1, 1, 1, 1]);
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
  });

  it("starts a cold instance only when every warm one is full, and holds the rest in line", async () => {
    const warm = [0, 1].map((i) => fakeInstance(`w${i}`, { concurrency: 2, latencyMs: 50 }));
    const cold = [0, 1].map((i) => fakeInstance(`c${i}`, { concurrency: 2, latencyMs: 50, warm: false }));
    const pool = new RendererPool([...warm, ...cold], { healthTtlMs: 0 });
    // Four jobs fill the two warm instances; none reaches a cold one.
    const first = await Promise.all([1, 2, 3, 4].map((i) => pool.memberFor(`a${i}`)));
    expect(first.map((m) => m.name).sort()).toEqual(["w0", "w0", "w1", "w1"]);
    // The fifth finds every warm slot taken and starts one cold instance; the sixth another.
    expect((await pool.memberFor("a5")).name).toBe("c0");
    expect((await pool.memberFor("a6")).name).toBe("c1");
    // The seventh waits for a slot: it gets the first one released.
    const seventh = pool.memberFor("a7");
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.waiting).toBe(1);
    pool.unpin("a3");
    expect((await seventh).name).toBe(first[2]!.name);
  });

  it("lets a light job (an upload's probe) through when every slot is taken", async () => {
    const pool = new RendererPool([fakeInstance("r0", { concurrency: 1, latencyMs: 1 })]);
    await pool.memberFor("render-1");
    expect((await pool.memberFor("asset-1", { light: true })).name).toBe("r0");
    const aborted = new AbortController();
    const waiting = pool.memberFor("render-2", { signal: aborted.signal });
    aborted.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
    expect(pool.waiting).toBe(0);
  });

  it("does not hold jobs in line when no instance answers: they fail at once", async () => {
    const dead = fakeInstance("r0", { concurrency: 1, latencyMs: 1 });
    dead.killed = true;
    dead.isWarm = async () => true; // a process we were pointed at, now gone
    const pool = new RendererPool([dead]);
    await expect(runJob(pool, "job-1")).rejects.toThrow("Network connection lost");
    await expect(runJob(pool, "job-2")).rejects.toThrow("Network connection lost");
    expect(pool.waiting).toBe(0);
  });

  it("keeps a job on one instance for staging, render and read-back", async () => {
    const instances = Array.from({ length: 3 }, (_, i) =>
      fakeInstance(`r${i}`, { concurrency: 2, latencyMs: 1 }),
    );
    const pool = new RendererPool(instances);
    const seen: string[] = [];
    for (const step of ["stage", "render", "read-back", "release"]) {
      seen.push((await pool.memberFor("job-a")).name);
      // Other jobs arriving meanwhile, taking the free slots, do not move it.
      await pool.memberFor(`other-${step}`);
    }
    expect(seen).toEqual([seen[0], seen[0], seen[0], seen[0]]);
  });

  it("runs a dead instance's job again on another, publishing it once, and sends the dead one nothing new", async () => {
    const instances = Array.from({ length: 3 }, (_, i) =>
      fakeInstance(`r${i}`, { concurrency: 2, latencyMs: 5 }),
    );
    instances[1]!.killAfter = 3;
    const pool = new RendererPool(instances, { healthTtlMs: 0 });
    const published = new Map<string, number>();
    const retried = new Set<string>();
    // As a stage does: a lost attempt is retried as a new job (new id); it publishes only on success.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => `job-${i}`).map(async (id) => {
        for (let attempt = 1; attempt <= 3; attempt++) {
          try {
            await runJob(pool, `${id}-a${attempt}`);
            published.set(id, (published.get(id) ?? 0) + 1);
            return;
          } catch {
            retried.add(id);
          }
        }
      }),
    );
    expect(published.size).toBe(30);
    expect([...published.values()].every((n) => n === 1)).toBe(true);
    expect(retried.size).toBeGreaterThan(0);
    expect(instances[1]!.started).toHaveLength(3);
    for (const inst of instances) expect(inst.maxRunning).toBeLessThanOrEqual(2);
  });
});
