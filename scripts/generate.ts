/**
 * `npm run generate -- "prompt" [--out DIR] [--url URL]`: makes an ad with the running app
 * (start it with `npm start`), shows a progress bar from polling GET /api/status/:id, then
 * downloads the MP4 and thumbnail and prints the path, duration and cost.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ApiClient } from "./lib/client.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: "string", default: "out" },
    url: {
      type: "string",
      default: process.env.PROMPTREEL_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`,
    },
    duration: { type: "string" },
    aspect: { type: "string" },
    seed: { type: "string" },
  },
});
const prompt = positionals.join(" ").trim();
if (!prompt) {
  console.error('usage: npm run generate -- "Luxury watch ad for Instagram" [--out DIR] [--url URL]');
  process.exit(2);
}

const bar = (p: number, width = 30) =>
  `${"█".repeat(Math.round((p / 100) * width))}${"░".repeat(width - Math.round((p / 100) * width))}`;

const client = new ApiClient(values.url);
await client.signIn(resolve(process.env.PROMPTREEL_DATA_DIR ?? ".data", "cli-account.json"));
const settings: Record<string, unknown> = {};
if (values.duration) settings.duration_s = Number(values.duration);
if (values.aspect) settings.aspect_ratio = values.aspect;
if (values.seed) settings.seed = Number(values.seed);
const { generation_id } = await client.generate(prompt, settings);
const started = Date.now();
const seen: number[] = [];
let status = await client.status(generation_id);
for (;;) {
  if (seen.at(-1) !== status.progress) seen.push(status.progress);
  const line = `${bar(status.progress)} ${String(status.progress).padStart(3)}%  ${status.current_step ?? ""}`;
  process.stdout.write(process.stdout.isTTY ? `\r${line.padEnd(90)}` : `${line}\n`);
  if (status.status === "completed" || status.status === "failed" || status.status === "cancelled") break;
  await new Promise((r) => setTimeout(r, 150));
  status = await client.status(generation_id);
}
process.stdout.write("\n");
console.log(`progress seen while polling: ${seen.join(", ")}`);
if (status.status !== "completed") {
  console.error(`${status.status}: ${status.error}`);
  process.exit(1);
}
const dir = resolve(values.out);
mkdirSync(dir, { recursive: true });
const video = join(dir, `${generation_id}.mp4`);
const thumb = join(dir, `${generation_id}.jpg`);
writeFileSync(video, Buffer.from(await (await fetch(status.video_url!)).arrayBuffer()));
writeFileSync(thumb, Buffer.from(await (await fetch(status.thumbnail_url!)).arrayBuffer()));
const probe = JSON.parse(
  execFileSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "format=duration:stream=width,height,codec_name", "-of", "json", video],
    { encoding: "utf8" },
  ),
) as { format: { duration: string }; streams: { codec_name: string; width?: number; height?: number }[] };
const v = probe.streams.find((s) => s.width);
console.log(`video:     ${video}`);
console.log(`thumbnail: ${thumb}`);
console.log(
  `duration:  ${Number(probe.format.duration).toFixed(2)} s, ${v?.width}x${v?.height} ${v?.codec_name}`,
);
console.log(`cost:      $${status.cost.toFixed(2)}`);
console.log(`took:      ${((Date.now() - started) / 1000).toFixed(1)} s`);
