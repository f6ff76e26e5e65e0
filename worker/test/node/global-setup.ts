/**
 * Starts what the worker tests talk to over loopback, outside workerd: the real render
 * container (Node + ffmpeg, with a fresh shared secret) and local servers speaking OpenAI's and
 * Replicate's protocols. Their URLs and the secret reach the test config through `provide`/`inject`.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
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
  // The pinned Node 22 (type stripping), whatever Node runs vitest itself.
  const renderer = spawn(
    join(repo, "node_modules/.bin/node"),
    [join(repo, "render-container/src/server.ts")],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        RENDER_CONCURRENCY: "2",
        RENDER_SECRET: renderSecret,
      },
      // Its log goes to a file: cancelled jobs are expected here and would drown the test output.
      stdio: [
        "ignore",
        openSync(join(dir, "render-container.log"), "a"),
        openSync(join(dir, "render-container.log"), "a"),
      ],
    },
  );
  const renderUrl = `http://127.0.0.1:${port}`;
  const openai = await startFakeOpenAi();
  const replicate = await startFakeReplicate(clip);
  await waitFor(`${renderUrl}/health`, 30, { headers: { Authorization: `Bearer ${renderSecret}` } });

  console.log(`[worker tests] render container at ${renderUrl}, log in ${join(dir, "render-container.log")}`);
  project.provide("renderUrl", renderUrl);
  project.provide("renderSecret", renderSecret);
  project.provide("openaiUrl", openai.url);
  project.provide("replicateUrl", replicate.url);
  project.provide("assetFixtures", assetFixtures);

  return async () => {
    renderer.kill("SIGTERM");
    await Promise.all([openai.close(), replicate.close()]);
  };
}
