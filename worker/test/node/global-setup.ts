/**
 * Starts what the worker tests talk to over loopback, outside workerd: the real render
 * container (Node + ffmpeg) and local servers speaking OpenAI's and Replicate's protocols.
 * Their URLs reach the test config through `provide`/`inject`.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import "../fake-protocol.ts";
import { startFakeOpenAi } from "./fakes/openai-server.ts";
import { startFakeReplicate } from "./fakes/replicate-server.ts";

const repo = fileURLToPath(new URL("../../..", import.meta.url));

async function waitFor(url: string, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
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

  const port = 20000 + Math.floor(Math.random() * 20000);
  // The pinned Node 22 (type stripping), whatever Node runs vitest itself.
  const renderer = spawn(
    join(repo, "node_modules/.bin/node"),
    [join(repo, "render-container/src/server.ts")],
    {
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", RENDER_CONCURRENCY: "2" },
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
  await waitFor(`${renderUrl}/health`, 30);

  console.log(`[worker tests] render container at ${renderUrl}, log in ${join(dir, "render-container.log")}`);
  project.provide("renderUrl", renderUrl);
  project.provide("openaiUrl", openai.url);
  project.provide("replicateUrl", replicate.url);

  return async () => {
    renderer.kill("SIGTERM");
    await Promise.all([openai.close(), replicate.close()]);
  };
}
