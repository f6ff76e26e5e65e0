/**
 * Starts what the worker tests talk to over loopback, outside workerd: the real render
 * container (Node + ffmpeg, with a fresh shared secret) and local servers speaking OpenAI's and
 * Replicate's protocols. Their URLs and the secret reach the test config through `provide`/`inject`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import type { AssetFixtures } from "../fake-protocol.ts";
import { startFakeOpenAi } from "./fakes/openai-server.ts";
import { startFakeReplicate } from "./fakes/replicate-server.ts";

const repo = fileURLToPath(new URL("../../..", import.meta.url));

async function waitFor(url: string, seconds: number, init: RequestInit = {}) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if ((await fetch(url, init)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs ffmpeg quietly with `args` and answers the file it wrote, base64. */
function ffmpegFile(dir: string, name: string, args: string[]): string {
  const out = join(dir, name);
  execFileSync("ffmpeg", ["-v", "error", "-y", ...args, out]);
  return readFileSync(out).toString("base64");
}

/** The upload tests' media (test/assets.test.ts), small enough to travel through `provide`. */
function makeAssetFixtures(dir: string): AssetFixtures {
  const still = ["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1"];
  const tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"];
  return {
    png: ffmpegFile(dir, "asset.png", still),
    jpeg: ffmpegFile(dir, "asset.jpg", still),
    wav: ffmpegFile(dir, "asset.wav", tone),
    mp3: ffmpegFile(dir, "asset.mp3", [...tone, "-c:a", "libmp3lame", "-b:a", "64k"]),
    mp4: ffmpegFile(dir, "asset.mp4", [
      ...["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=24:duration=1", ...tone],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"],
    ]),
    // Three 2 s clips of one colour each, with a tone: what a stitch is made of.
    colourClips: ["red", "lime", "blue"].map((colour, i) =>
      ffmpegFile(dir, `clip-${colour}.mp4`, [
        ...["-f", "lavfi", "-i", `color=c=${colour}:s=180x320:r=24:d=2`],
        ...["-f", "lavfi", "-i", `sine=frequency=${330 + 110 * i}:duration=2`],
        ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"],
      ]),
    ),
    // One frame an hour for 36000 s: a genuine 10-hour file, not a patched header.
    tenHourMp4: ffmpegFile(dir, "ten-hours.mp4", [
      ...["-f", "lavfi", "-i", "color=c=blue:s=64x64:r=1/3600", "-t", "36000"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    ]),
  };
}

/**
 * The render container process: spawned at first start, and again on the same port with the same
 * env after the fault suite kills it (`restart`), so the Worker's RENDER_URL stays right.
 */
class RenderContainer {
  #child: ChildProcess | null = null;
  readonly url: string;
  readonly #port: number;
  readonly #secret: string;
  readonly #log: string;

  constructor(port: number, secret: string, log: string) {
    this.#port = port;
    this.#secret = secret;
    this.#log = log;
    this.url = `http://127.0.0.1:${port}`;
    // In its own process group it no longer gets the terminal's Ctrl-C: stop it whenever vitest exits.
    process.once("exit", () => this.stop());
  }

  /** The running process's id (undefined before the first start). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** `/health` with the secret, as everyone else calls it. */
  health(init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.url}/health`, {
      ...init,
      headers: { Authorization: `Bearer ${this.#secret}` },
    });
  }

  /** Spawns the process and waits until `/health` answers. */
  async start(): Promise<void> {
    // Its log goes to a file: cancelled jobs are expected here and would drown the test output.
    const log = openSync(this.#log, "a");
    // The pinned Node 22 (type stripping), whatever Node runs vitest itself.
    this.#child = spawn(
      join(repo, "node_modules/.bin/node"),
      [join(repo, "render-container/src/server.ts")],
      {
        env: {
          ...process.env,
          PORT: String(this.#port),
          HOST: "127.0.0.1",
          RENDER_CONCURRENCY: "2",
          RENDER_SECRET: this.#secret,
        },
        // Its own process group, so a kill takes its ffmpeg children with it, as a container's would.
        detached: true,
        stdio: ["ignore", log, log],
      },
    );
    // The child has its own copy; each restart would otherwise leave one open here.
    closeSync(log);
    await waitFor(`${this.url}/health`, 30, { headers: { Authorization: `Bearer ${this.#secret}` } });
  }

  /** Signals the process and all its children (its group); answers once it has exited. */
  async #kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
    await exited;
  }

  /** Stops (SIGSTOP) or resumes (SIGCONT) the process and its children: a hung container and its end. */
  freeze(frozen: boolean): void {
    if (this.#child?.pid) process.kill(-this.#child.pid, frozen ? "SIGSTOP" : "SIGCONT");
  }

  /** SIGKILLs the process mid-whatever (no cleanup, as a crash) and starts a new one. */
  async restart(): Promise<void> {
    await this.#kill("SIGKILL");
    await this.start();
  }

  /** At teardown (or exit): asks the current process and its children to stop. */
  stop(): void {
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const pid = child.pid;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

/**
 * The fault suite's handle on the render container, over loopback (tests run in workerd and cannot
 * signal processes). `POST /renderer/kill-when-rendering` with `{ "timeout_ms": n, "delay_ms": d }`
 * waits until the container has had a job running for `d` ms (default 0), SIGKILLs it, brings it
 * back on the same port and answers `{ killed: true, pid_before, pid_after, waited_ms }`; or
 * `{ killed: false, waited_ms }` when that did not happen within `timeout_ms` (default 120 s).
 * `POST /renderer/freeze-when-rendering` (same body) instead SIGSTOPs it once a job runs, a hung
 * container (`{ frozen: true, waited_ms }`), until `POST /renderer/thaw`.
 */
async function startControl(renderer: RenderContainer): Promise<{ url: string; close: () => Promise<void> }> {
  /** Waits until a job has been running `delayMs` (true), or `timeoutMs` passed (false). */
  const rendering = async (timeoutMs: number, delayMs: number) => {
    const started = Date.now();
    // Since when /health has shown a job running without a break.
    let runningSince: number | null = null;
    while (Date.now() - started < timeoutMs) {
      const queue = await renderer
        .health({ signal: AbortSignal.timeout(2000) })
        .then((r) => r.json() as Promise<{ queue?: { running?: number } }>)
        .then((b) => b.queue)
        .catch(() => undefined);
      if ((queue?.running ?? 0) > 0) runningSince ??= Date.now();
      else runningSince = null;
      if (runningSince !== null && Date.now() - runningSince >= delayMs) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  const actions: Record<string, (timeoutMs: number, delayMs: number) => Promise<unknown>> = {
    "/renderer/kill-when-rendering": async (timeoutMs, delayMs) => {
      const started = Date.now();
      if (!(await rendering(timeoutMs, delayMs))) return { killed: false, waited_ms: Date.now() - started };
      const pidBefore = renderer.pid;
      await renderer.restart();
      return {
        killed: true,
        pid_before: pidBefore,
        pid_after: renderer.pid,
        waited_ms: Date.now() - started,
      };
    },
    "/renderer/freeze-when-rendering": async (timeoutMs, delayMs) => {
      const started = Date.now();
      if (!(await rendering(timeoutMs, delayMs))) return { frozen: false, waited_ms: Date.now() - started };
      renderer.freeze(true);
      return { frozen: true, waited_ms: Date.now() - started };
    },
    "/renderer/thaw": async () => {
      renderer.freeze(false);
      return { frozen: false };
    },
  };

  const server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const action = actions[req.url ?? ""];
    if (req.method !== "POST" || !action) return answer(404, { error: "not found" });
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      let body: { timeout_ms?: number; delay_ms?: number };
      try {
        body = JSON.parse(text || "{}");
      } catch {
        return answer(400, { error: "the body is not JSON" });
      }
      action(body.timeout_ms ?? 120_000, body.delay_ms ?? 0).then(
        (body) => answer(200, body),
        (error: unknown) => answer(500, { error: String(error) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "promptreel-worker-test-"));
  // The clip every fake prediction "generates": 6 s of moving colour, small to keep tests fast.
  const clip = join(dir, "clip.mp4");
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=360x640:rate=24:duration=6",
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    clip,
  ]);

  const assetFixtures = makeAssetFixtures(dir);

  const port = 20000 + Math.floor(Math.random() * 20000);
  // The secret the container requires on every call; the Worker gets it as RENDER_SECRET.
  const renderSecret = randomBytes(32).toString("hex");
  const renderer = new RenderContainer(port, renderSecret, join(dir, "render-container.log"));
  const renderUrl = renderer.url;
  const [openai, replicate] = await Promise.all([
    startFakeOpenAi(),
    startFakeReplicate(clip),
    renderer.start(),
  ]);
  const control = await startControl(renderer);

  console.log(`[worker tests] render container at ${renderUrl}, log in ${join(dir, "render-container.log")}`);
  project.provide("renderUrl", renderUrl);
  project.provide("renderSecret", renderSecret);
  project.provide("openaiUrl", openai.url);
  project.provide("replicateUrl", replicate.url);
  project.provide("assetFixtures", assetFixtures);
  project.provide("controlUrl", control.url);

  return async () => {
    renderer.stop();
    await Promise.all([openai.close(), replicate.close(), control.close()]);
  };
}
