/**
 * `npm run bench:pipeline`: the offline pipeline measured end to end on this machine.
 * Starts the app as `npm start` does (own ports, fresh data dir) unless --url is given, then:
 *  1. prompt-to-MP4 wall time for one 15 s ad (after one warm-up run), split by stage from
 *     the coordinator's own "stage done" log lines;
 *  2. GET /api/status latency p50/p99 with 50 concurrent pollers for 10 s.
 * Prints a table, and as its last line one JSON object with the figures.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ApiClient, type Status } from "./lib/client.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    pollers: { type: "string", default: "50" },
    seconds: { type: "string", default: "10" },
  },
});
const repo = resolve(import.meta.dirname, "..");
const dataDir = mkdtempSync(join(tmpdir(), "promptreel-bench-"));
const port = 8891;
let app = null as ReturnType<typeof spawn> | null;

async function startApp(): Promise<string> {
  if (values.url) return values.url;
  app = spawn("bash", ["scripts/start.sh"], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), RENDER_PORT: String(port + 1), PROMPTREEL_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((res, rej) => {
    app!.stdout!.on("data", (chunk: Buffer) =>
      chunk.toString().includes("ready: open") ? res() : undefined,
    );
    app!.on("exit", (code) => rej(new Error(`start.sh exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

async function runOne(client: ApiClient, prompt: string) {
  const t0 = performance.now();
  const { generation_id } = await client.generate(prompt, { seed: 42 });
  let s: Status;
  do {
    await new Promise((r) => setTimeout(r, 100));
    s = await client.status(generation_id);
  } while (s.status !== "completed" && s.status !== "failed");
  if (s.status === "failed") throw new Error(`generation failed: ${s.error}`);
  return { id: generation_id, wallS: (performance.now() - t0) / 1000 };
}

function stageSplit(generationId: string): Record<string, number> {
  const split: Record<string, number> = {};
  for (const line of readFileSync(join(dataDir, "worker.log"), "utf8").split("\n")) {
    const i = line.indexOf("{");
    if (i < 0 || !line.includes('"stage done"') || !line.includes(generationId)) continue;
    try {
      const entry = JSON.parse(line.slice(i)) as { stage: string; duration_ms: number };
      split[entry.stage] = (split[entry.stage] ?? 0) + entry.duration_ms / 1000;
    } catch {
      // not a log object
    }
  }
  return split;
}

const percentile = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

try {
  const base = await startApp();
  const client = new ApiClient(base);
  await client.signIn(join(dataDir, "bench-account.json"));
  console.log("warm-up run (music library and caches)...");
  await runOne(client, "Warm-up: sparkling water with real fruit");
  console.log("measured run...");
  const run = await runOne(client, "Luxury watch ad for Instagram");
  const split = values.url ? {} : stageSplit(run.id);

  const pollers = Number(values.pollers);
  const until = performance.now() + Number(values.seconds) * 1000;
  const latencies: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: pollers }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await client.status(run.id);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const result = {
    prompt_to_mp4_s: Number(run.wallS.toFixed(2)),
    stage_s: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, Number(v.toFixed(2))])),
    status_p50_ms: Number(percentile(latencies, 50).toFixed(1)),
    status_p99_ms: Number(percentile(latencies, 99).toFixed(1)),
    status_rps: Number((latencies.length / Number(values.seconds)).toFixed(0)),
    pollers,
    poll_errors: errors,
  };
  console.log("\n| measure | value |\n| --- | --- |");
  console.log(`| prompt to MP4 (15 s ad, offline) | ${result.prompt_to_mp4_s} s |`);
  for (const [stage, s] of Object.entries(result.stage_s)) console.log(`|   stage ${stage} | ${s} s |`);
  console.log(
    `| status p50 / p99 (${pollers} pollers) | ${result.status_p50_ms} / ${result.status_p99_ms} ms |`,
  );
  console.log(`| status requests per second | ${result.status_rps} |`);
  console.log(JSON.stringify(result));
} finally {
  if (app) {
    app.kill("SIGTERM");
    await new Promise((r) => app!.on("exit", r));
  }
}
